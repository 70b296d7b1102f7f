import { DynamisError } from '@dynamis/core';
import type { FileSystem, RandomAccessFile, WritableFile } from '@dynamis/core';

/**
 * A file's inode. `data[0, length)` is what reads see. The disk model behind
 * FaultyFileSystem: `data[0, synced)` is durable, unless `shadow` is set (the
 * file was truncated since its last sync), in which case `shadow` is the
 * durable content.
 */
export interface MemFile {
  readonly kind: 'file';
  data: Uint8Array;
  length: number;
  synced: number;
  shadow: Uint8Array | undefined;
}

/** A directory: `entries` as seen now, `durable` as of its last syncDir. */
export interface MemDir {
  readonly kind: 'dir';
  entries: Map<string, MemNode>;
  durable: Map<string, MemNode>;
}

export type MemNode = MemFile | MemDir;

const EMPTY = new Uint8Array(0);

function ioError(op: string, path: string, errno: string): DynamisError {
  return new DynamisError('IO_ERROR', `${op} ${path}: ${errno}`, { details: { path, errno } });
}

function newDir(): MemDir {
  return { kind: 'dir', entries: new Map(), durable: new Map() };
}

/** Path segments; '' and '.' are skipped and '..' pops, so 'a//b/' is 'a/b'. */
function segments(path: string): string[] {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return out;
}

class MemoryWritableFile implements WritableFile {
  private closed = false;

  constructor(
    readonly path: string,
    private readonly file: MemFile,
  ) {}

  get size(): number {
    return this.file.length;
  }

  append(data: Uint8Array): void {
    if (this.closed) throw ioError('append', this.path, 'EBADF');
    const f = this.file;
    const need = f.length + data.length;
    if (need > f.data.length) {
      const grown = new Uint8Array(Math.max(need, f.data.length * 2, 256));
      grown.set(f.data.subarray(0, f.length));
      f.data = grown;
    }
    f.data.set(data, f.length);
    f.length = need;
  }

  sync(): Promise<void> {
    if (this.closed) return Promise.reject(ioError('sync', this.path, 'EBADF'));
    this.file.synced = this.file.length;
    this.file.shadow = undefined;
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

class MemoryRandomAccessFile implements RandomAccessFile {
  private closed = false;
  readonly size: number;

  constructor(
    readonly path: string,
    private readonly file: MemFile,
  ) {
    this.size = file.length;
  }

  read(position: number, length: number): Uint8Array {
    if (!Number.isSafeInteger(position) || position < 0 || !Number.isSafeInteger(length) || length < 0) {
      throw new DynamisError('INVALID_ARGUMENT', `read ${this.path}: bad position ${position} or length ${length}`, {
        details: { path: this.path, position, length },
      });
    }
    if (this.closed) throw ioError('read', this.path, 'EBADF');
    const f = this.file;
    if (position >= f.length) return new Uint8Array(0);
    return f.data.slice(position, Math.min(f.length, position + length));
  }

  readInto(position: number, length: number, target: Uint8Array, targetOffset: number): number {
    const bad = (x: number): boolean => !Number.isSafeInteger(x) || x < 0;
    if (bad(position) || bad(length) || bad(targetOffset) || targetOffset + length > target.length) {
      throw new DynamisError('INVALID_ARGUMENT', `read ${this.path}: bad position ${position}, length ${length} or target range`, {
        details: { path: this.path, position, length, targetOffset },
      });
    }
    if (this.closed) throw ioError('read', this.path, 'EBADF');
    const f = this.file;
    if (position >= f.length) return 0;
    const end = Math.min(f.length, position + length);
    target.set(f.data.subarray(position, end), targetOffset);
    return end - position;
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * An in-memory FileSystem for engine unit tests: fast, isolated, and held by
 * one object (two instances share nothing). It never loses data; it does keep
 * the books FaultyFileSystem needs to simulate a crash (which prefix of each
 * file was synced, which directory entries were syncDir'd).
 *
 * Paths are '/'-separated; relative and absolute paths name the same entry
 * ('db/x' is '/db/x'). Files are inodes: a handle keeps working on its file
 * after a rename or a remove, as on POSIX. `rename` of a directory is not
 * supported (IO_ERROR 'EISDIR'). This instance is the "process" for `lock`:
 * a second lock of a held path throws UNAVAILABLE.
 */
export class MemoryFileSystem implements FileSystem {
  protected readonly root: MemDir = newDir();
  /** Held locks by normalized path, with the holder's token. */
  protected readonly locks = new Map<string, object>();

  create(path: string): WritableFile {
    const { dir, name } = this.parentOf(path, 'create');
    const node = dir.entries.get(name);
    if (node === undefined) {
      const file = this.newFile();
      dir.entries.set(name, file);
      return new MemoryWritableFile(path, file);
    }
    if (node.kind === 'dir') throw ioError('create', path, 'EISDIR');
    // O_TRUNC: same inode; what was synced stays durable until the next sync.
    if (node.shadow === undefined && node.synced > 0) node.shadow = node.data.slice(0, node.synced);
    node.length = 0;
    node.synced = 0;
    return new MemoryWritableFile(path, node);
  }

  openAppend(path: string): WritableFile {
    const { dir, name } = this.parentOf(path, 'openAppend');
    let node = dir.entries.get(name);
    if (node === undefined) {
      node = this.newFile();
      dir.entries.set(name, node);
    }
    if (node.kind === 'dir') throw ioError('openAppend', path, 'EISDIR');
    return new MemoryWritableFile(path, node);
  }

  openRead(path: string): RandomAccessFile {
    return new MemoryRandomAccessFile(path, this.fileAt(path, 'openRead'));
  }

  readFile(path: string): Uint8Array {
    const f = this.fileAt(path, 'readFile');
    return f.data.slice(0, f.length);
  }

  exists(path: string): boolean {
    return this.lookup(path) !== undefined;
  }

  list(dir: string): string[] {
    const node = this.lookup(dir);
    if (node === undefined) return [];
    if (node.kind === 'file') throw ioError('list', dir, 'ENOTDIR');
    return [...node.entries.keys()].sort();
  }

  mkdirp(dir: string): void {
    let cur = this.root;
    for (const seg of segments(dir)) {
      let next = cur.entries.get(seg);
      if (next === undefined) {
        next = newDir();
        cur.entries.set(seg, next); // directories are durable at once (see FaultyFileSystem)
        cur.durable.set(seg, next);
      }
      if (next.kind === 'file') throw ioError('mkdirp', dir, 'ENOTDIR');
      cur = next;
    }
  }

  rename(from: string, to: string): void {
    const src = this.parentOf(from, 'rename');
    const node = src.dir.entries.get(src.name);
    if (node === undefined) throw ioError('rename', from, 'ENOENT');
    if (node.kind === 'dir') throw ioError('rename', from, 'EISDIR');
    const dst = this.parentOf(to, 'rename');
    const old = dst.dir.entries.get(dst.name);
    if (old === node) return;
    if (old?.kind === 'dir') throw ioError('rename', to, 'EISDIR');
    dst.dir.entries.set(dst.name, node);
    src.dir.entries.delete(src.name);
  }

  remove(path: string): void {
    const segs = segments(path);
    const name = segs.pop();
    if (name === undefined) throw ioError('remove', path, 'EISDIR');
    const parent = this.lookup(segs.join('/'));
    if (parent?.kind !== 'dir') return;
    const node = parent.entries.get(name);
    if (node?.kind === 'dir') throw ioError('remove', path, 'EISDIR');
    parent.entries.delete(name);
  }

  removeTree(path: string): void {
    const segs = segments(path);
    const name = segs.pop();
    if (name === undefined) {
      this.root.entries.clear();
      this.root.durable.clear();
      return;
    }
    const parent = this.lookup(segs.join('/'));
    if (parent?.kind !== 'dir') return;
    parent.entries.delete(name); // durable at once, like mkdirp
    parent.durable.delete(name);
  }

  syncDir(dir: string): Promise<void> {
    const node = this.lookup(dir);
    if (node === undefined) return Promise.reject(ioError('syncDir', dir, 'ENOENT'));
    if (node.kind === 'file') return Promise.reject(ioError('syncDir', dir, 'ENOTDIR'));
    node.durable = new Map(node.entries);
    return Promise.resolve();
  }

  size(path: string): number {
    return this.fileAt(path, 'size').length;
  }

  lock(path: string): { release(): void } {
    const key = '/' + segments(path).join('/');
    if (this.locks.has(key)) {
      throw new DynamisError('UNAVAILABLE', `lock ${path} is already held`, { details: { path } });
    }
    const { dir, name } = this.parentOf(path, 'lock');
    const node = dir.entries.get(name);
    if (node?.kind === 'dir') throw ioError('lock', path, 'EISDIR');
    const file = node ?? this.newFile();
    dir.entries.set(name, file);
    const token = {};
    this.locks.set(key, token);
    const release = (): void => {
      if (this.locks.get(key) !== token) return; // released, or lost in a crash
      this.locks.delete(key);
      if (dir.entries.get(name) === file) dir.entries.delete(name);
    };
    return { release };
  }

  /** The file at `path`; IO_ERROR 'ENOENT' if absent, 'EISDIR' if a directory. */
  protected fileAt(path: string, op: string): MemFile {
    const node = this.lookup(path);
    if (node === undefined) throw ioError(op, path, 'ENOENT');
    if (node.kind === 'dir') throw ioError(op, path, 'EISDIR');
    return node;
  }

  private newFile(): MemFile {
    return { kind: 'file', data: EMPTY, length: 0, synced: 0, shadow: undefined };
  }

  private lookup(path: string): MemNode | undefined {
    let node: MemNode = this.root;
    for (const seg of segments(path)) {
      if (node.kind === 'file') return undefined;
      const next: MemNode | undefined = node.entries.get(seg);
      if (next === undefined) return undefined;
      node = next;
    }
    return node;
  }

  /** The directory that holds `path` and its last segment; ENOENT/ENOTDIR if that directory is missing. */
  private parentOf(path: string, op: string): { dir: MemDir; name: string } {
    const segs = segments(path);
    const name = segs.pop();
    if (name === undefined) throw ioError(op, path, 'EISDIR');
    const dir = this.lookup(segs.join('/'));
    if (dir === undefined) throw ioError(op, path, 'ENOENT');
    if (dir.kind === 'file') throw ioError(op, path, 'ENOTDIR');
    return { dir, name };
  }
}
