import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { DynamisError } from '../errors/DynamisError';
import type { FileSystem, RandomAccessFile, WritableFile } from '../ports/FileSystem';

/** Lock files held by this process, by absolute path, with the holder's token. */
const heldLocks = new Map<string, object>();

/** Wraps an error from node:fs as IO_ERROR with `{ path, errno }`. */
function ioError(op: string, path: string, cause: unknown): DynamisError {
  const errno = (cause as NodeJS.ErrnoException | null)?.code ?? 'EIO';
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new DynamisError('IO_ERROR', `${op} ${path} failed: ${reason}`, { cause, details: { path, errno } });
}

function closedError(path: string): DynamisError {
  return new DynamisError('IO_ERROR', `${path}: file is closed`, { details: { path, errno: 'EBADF' } });
}

function isNoEntry(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}

function checkRange(path: string, position: number, length: number): void {
  if (!Number.isSafeInteger(position) || position < 0 || !Number.isSafeInteger(length) || length < 0) {
    throw new DynamisError('INVALID_ARGUMENT', `read ${path}: bad position ${position} or length ${length}`, {
      details: { path, position, length },
    });
  }
}

/** True if a process with this pid exists (EPERM means it exists but is not ours). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

class NodeWritableFile implements WritableFile {
  private fd: number;
  private bytes: number;
  private readonly pending = new Set<Promise<void>>();

  constructor(
    readonly path: string,
    fd: number,
    size: number,
  ) {
    this.fd = fd;
    this.bytes = size;
  }

  get size(): number {
    return this.bytes;
  }

  append(data: Uint8Array): void {
    if (this.fd < 0) throw closedError(this.path);
    const length = data.length;
    let offset = 0;
    try {
      while (offset < length) {
        const n = fs.writeSync(this.fd, data, offset, length - offset);
        offset += n;
        this.bytes += n;
      }
    } catch (err) {
      throw ioError('append', this.path, err);
    }
  }

  sync(): Promise<void> {
    if (this.fd < 0) return Promise.reject(closedError(this.path));
    const p = new Promise<void>((resolve, reject) => {
      fs.fdatasync(this.fd, (err) => (err ? reject(ioError('sync', this.path, err)) : resolve()));
    });
    this.pending.add(p);
    const done = (): void => void this.pending.delete(p);
    p.then(done, done);
    return p;
  }

  async close(): Promise<void> {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    if (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    await new Promise<void>((resolve, reject) => {
      fs.close(fd, (err) => (err ? reject(ioError('close', this.path, err)) : resolve()));
    });
  }
}

class NodeRandomAccessFile implements RandomAccessFile {
  private fd: number;

  constructor(
    readonly path: string,
    fd: number,
    readonly size: number,
  ) {
    this.fd = fd;
  }

  read(position: number, length: number): Uint8Array {
    checkRange(this.path, position, length);
    if (this.fd < 0) throw closedError(this.path);
    // Own ArrayBuffer (not a slice of Node's shared pool): the caller owns it.
    const buf = Buffer.allocUnsafeSlow(length);
    let got = 0;
    try {
      while (got < length) {
        const n = fs.readSync(this.fd, buf, got, length - got, position + got);
        if (n === 0) break;
        got += n;
      }
    } catch (err) {
      throw ioError('read', this.path, err);
    }
    return got === length ? buf : buf.subarray(0, got);
  }

  readInto(position: number, length: number, target: Uint8Array, targetOffset: number): number {
    checkRange(this.path, position, length);
    checkRange(this.path, targetOffset, target.length - targetOffset - length);
    if (this.fd < 0) throw closedError(this.path);
    let got = 0;
    try {
      while (got < length) {
        const n = fs.readSync(this.fd, target, targetOffset + got, length - got, position + got);
        if (n === 0) break;
        got += n;
      }
    } catch (err) {
      throw ioError('read', this.path, err);
    }
    return got;
  }

  close(): void {
    if (this.fd < 0) return;
    const fd = this.fd;
    this.fd = -1;
    try {
      fs.closeSync(fd);
    } catch (err) {
      throw ioError('close', this.path, err);
    }
  }
}

/**
 * The FileSystem port on node:fs: the default for real deployments.
 *
 * `append` is an unbuffered write(2) loop on a kept descriptor; `sync` is
 * fdatasync on libuv's thread pool; `syncDir` opens the directory read-only
 * and fsyncs it (a no-op on Windows, which cannot open directories).
 *
 * `lock` emulates an exclusive lock without flock: the lock file is created
 * with O_EXCL and holds the owner's pid. A lock file whose pid is not a live
 * process, or is our own pid but not held by this process (a pid reused
 * after a restart), is stale and taken over. Limit: two processes taking
 * over the same stale lock at the same instant may both succeed; starting
 * on a clean directory is race-free.
 */
export class NodeFileSystem implements FileSystem {
  create(path: string): WritableFile {
    return this.openWritable(path, 'w');
  }

  openAppend(path: string): WritableFile {
    return this.openWritable(path, 'a');
  }

  openRead(path: string): RandomAccessFile {
    let fd = -1;
    try {
      fd = fs.openSync(path, 'r');
      return new NodeRandomAccessFile(path, fd, fs.fstatSync(fd).size);
    } catch (err) {
      if (fd >= 0) fs.closeSync(fd);
      throw ioError('openRead', path, err);
    }
  }

  readFile(path: string): Uint8Array {
    try {
      return fs.readFileSync(path);
    } catch (err) {
      throw ioError('readFile', path, err);
    }
  }

  exists(path: string): boolean {
    return fs.existsSync(path);
  }

  list(dir: string): string[] {
    try {
      return fs.readdirSync(dir).sort();
    } catch (err) {
      if (isNoEntry(err)) return [];
      throw ioError('list', dir, err);
    }
  }

  mkdirp(dir: string): void {
    try {
      fs.mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw ioError('mkdirp', dir, err);
    }
  }

  rename(from: string, to: string): void {
    try {
      fs.renameSync(from, to);
    } catch (err) {
      throw ioError('rename', `${from} -> ${to}`, err);
    }
  }

  remove(path: string): void {
    try {
      fs.unlinkSync(path);
    } catch (err) {
      if (!isNoEntry(err)) throw ioError('remove', path, err);
    }
  }

  removeTree(path: string): void {
    try {
      fs.rmSync(path, { recursive: true, force: true });
    } catch (err) {
      throw ioError('removeTree', path, err);
    }
  }

  async syncDir(dir: string): Promise<void> {
    if (process.platform === 'win32') return;
    let handle: fs.promises.FileHandle | undefined;
    try {
      handle = await fs.promises.open(dir, 'r');
      await handle.sync();
    } catch (err) {
      throw ioError('syncDir', dir, err);
    } finally {
      await handle?.close();
    }
  }

  size(path: string): number {
    try {
      return fs.statSync(path).size;
    } catch (err) {
      throw ioError('size', path, err);
    }
  }

  lock(path: string): { release(): void } {
    const key = nodePath.resolve(path);
    if (heldLocks.has(key)) {
      throw new DynamisError('UNAVAILABLE', `lock ${path} is already held by this process`, {
        details: { path, pid: process.pid },
      });
    }
    for (let attempt = 0; attempt < 3; attempt++) {
      if (this.tryCreateLock(path)) {
        const token = {};
        heldLocks.set(key, token);
        return { release: () => this.releaseLock(key, path, token) };
      }
      const owner = this.readLockOwner(path);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
        throw new DynamisError('UNAVAILABLE', `lock ${path} is held by process ${owner}`, {
          details: { path, pid: owner },
        });
      }
      this.remove(path); // stale: its owner is gone (or vanished meanwhile)
    }
    throw new DynamisError('UNAVAILABLE', `lock ${path} is contended`, { details: { path } });
  }

  private openWritable(path: string, flags: 'w' | 'a'): WritableFile {
    let fd = -1;
    try {
      fd = fs.openSync(path, flags);
      return new NodeWritableFile(path, fd, flags === 'w' ? 0 : fs.fstatSync(fd).size);
    } catch (err) {
      if (fd >= 0) fs.closeSync(fd);
      throw ioError(flags === 'w' ? 'create' : 'openAppend', path, err);
    }
  }

  /** Creates the lock file holding our pid; false if it already exists. */
  private tryCreateLock(path: string): boolean {
    let fd: number;
    try {
      fd = fs.openSync(path, 'wx');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw ioError('lock', path, err);
    }
    let failure: unknown;
    try {
      fs.writeSync(fd, String(process.pid));
    } catch (err) {
      failure = err;
    }
    try {
      fs.closeSync(fd);
    } catch (err) {
      failure ??= err;
    }
    if (failure !== undefined) {
      this.remove(path);
      throw ioError('lock', path, failure);
    }
    return true;
  }

  /** The pid in a lock file; undefined if it vanished or holds no pid. */
  private readLockOwner(path: string): number | undefined {
    let text: string;
    try {
      text = fs.readFileSync(path, 'utf8');
    } catch (err) {
      if (isNoEntry(err)) return undefined;
      throw ioError('lock', path, err);
    }
    const pid = Number(text.trim());
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  }

  private releaseLock(key: string, path: string, token: object): void {
    if (heldLocks.get(key) !== token) return;
    heldLocks.delete(key);
    this.remove(path);
  }
}
