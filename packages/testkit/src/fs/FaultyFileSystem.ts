import { DynamisError } from '@dynamis/core';
import type { RandomAccessFile, WritableFile } from '@dynamis/core';
import { MemoryFileSystem } from './MemoryFileSystem';
import type { MemDir, MemFile } from './MemoryFileSystem';

/** Operations `failNext` can make fail. */
export type FaultyOp =
  | 'create'
  | 'openAppend'
  | 'openRead'
  | 'readFile'
  | 'list'
  | 'mkdirp'
  | 'rename'
  | 'remove'
  | 'removeTree'
  | 'syncDir'
  | 'size'
  | 'lock'
  | 'append'
  | 'sync'
  | 'read'
  | 'close';

export interface CrashOptions {
  /**
   * What survives of bytes appended after a file's last sync. 'drop' (the
   * default): nothing. 'keep-random-prefix': a random prefix of them, 0 to
   * all bytes (a torn write), chosen by `random`.
   */
  unsyncedTail?: 'drop' | 'keep-random-prefix';
  /** Seeded source of floats in [0, 1); defaults to the constructor's. */
  random?: () => number;
}

export interface FaultyFileSystemOptions {
  /** Seeded source of floats in [0, 1) for torn writes. */
  random?: () => number;
}

/** Counts of successful operations since construction. */
export interface FaultyStats {
  appends: number;
  appendedBytes: number;
  syncs: number;
  syncDirs: number;
  crashes: number;
  injectedFaults: number;
}

/**
 * A MemoryFileSystem with a power switch, for crash tests (after LevelDB's
 * fault_injection_test and the ALICE model of POSIX file systems).
 *
 * The model, which is exactly what `crash()` restores:
 * - A file's *data* is durable up to the length it had when its last
 *   `WritableFile.sync()` (on any handle of that file) succeeded. Bytes
 *   appended since are lost, or with `unsyncedTail: 'keep-random-prefix'` a
 *   random prefix of them survives (a torn write). A file truncated by
 *   `create` since its last sync comes back with its last synced content.
 * - A directory's *entries* (names → files) are durable as of its last
 *   successful `syncDir`. A create, rename or remove not followed by a
 *   syncDir of the directory holding the name is undone: a new file
 *   disappears, a rename reverts (the file keeps its synced data under its
 *   old name), a removed file comes back. A rename is atomic: after a crash
 *   `to` holds the old file or the new one. A rename across directories
 *   needs a syncDir of both (if only the target's is synced, the file shows
 *   under both names, as a POSIX crash can leave it).
 * - Simplifications: directories made by `mkdirp` and trees deleted by
 *   `removeTree` are durable at once; a failed sync makes nothing durable
 *   (and loses nothing); a failed append writes nothing.
 * - A crash also ends the "process": every handle opened before it throws
 *   IO_ERROR (errno 'EBADF', details.crashed) on every method, and every lock
 *   is released (an old `release()` is then a no-op).
 * Faults armed with `failNext` survive a crash.
 */
export class FaultyFileSystem extends MemoryFileSystem {
  private epoch = 0;
  private readonly faults = new Map<FaultyOp, (Error | undefined)[]>();
  private readonly counters: FaultyStats = {
    appends: 0,
    appendedBytes: 0,
    syncs: 0,
    syncDirs: 0,
    crashes: 0,
    injectedFaults: 0,
  };
  private readonly random: (() => number) | undefined;

  constructor(options: FaultyFileSystemOptions = {}) {
    super();
    this.random = options.random;
  }

  /** A snapshot of the counters. */
  get stats(): FaultyStats {
    return { ...this.counters };
  }

  /**
   * Arms a one-shot fault: the next call of `op` (on the file system or on
   * any handle) has no effect and throws, or rejects with, `error` (default:
   * IO_ERROR, errno 'EIO', details.injected). Calls queue: arming twice
   * fails the next two calls.
   */
  failNext(op: FaultyOp, error?: Error): void {
    const queue = this.faults.get(op);
    if (queue === undefined) this.faults.set(op, [error]);
    else queue.push(error);
  }

  /** Disarms every fault armed by `failNext`. */
  clearFaults(): void {
    this.faults.clear();
  }

  /** Simulates power loss: see the class comment for what survives. */
  crash(options: CrashOptions = {}): void {
    const torn = (options.unsyncedTail ?? 'drop') === 'keep-random-prefix';
    const random = options.random ?? this.random;
    if (torn && random === undefined) {
      throw new DynamisError('INVALID_ARGUMENT', "crash: 'keep-random-prefix' needs a random function");
    }
    this.epoch++;
    this.counters.crashes++;
    this.locks.clear();
    this.revertDir(this.root, new Set(), torn ? random : undefined);
  }

  /**
   * XORs the byte at `offset` of the file's current content with `xorMask`
   * (a bit flip on the medium: it survives a crash if that byte was synced).
   * Throws IO_ERROR if absent, INVALID_ARGUMENT if `offset` is outside it.
   */
  corrupt(path: string, offset: number, xorMask = 0xff): void {
    const f = this.fileAt(path, 'corrupt');
    if (!Number.isSafeInteger(offset) || offset < 0 || offset >= f.length) {
      throw new DynamisError('INVALID_ARGUMENT', `corrupt ${path}: offset ${offset} outside [0, ${f.length})`, {
        details: { path, offset, size: f.length },
      });
    }
    f.data[offset] = (f.data[offset] ?? 0) ^ (xorMask & 0xff);
  }

  override create(path: string): WritableFile {
    this.inject('create', path);
    return this.wrapWritable(super.create(path));
  }

  override openAppend(path: string): WritableFile {
    this.inject('openAppend', path);
    return this.wrapWritable(super.openAppend(path));
  }

  override openRead(path: string): RandomAccessFile {
    this.inject('openRead', path);
    return this.wrapReadable(super.openRead(path));
  }

  override readFile(path: string): Uint8Array {
    this.inject('readFile', path);
    return super.readFile(path);
  }

  override list(dir: string): string[] {
    this.inject('list', dir);
    return super.list(dir);
  }

  override mkdirp(dir: string): void {
    this.inject('mkdirp', dir);
    super.mkdirp(dir);
  }

  override rename(from: string, to: string): void {
    this.inject('rename', from);
    super.rename(from, to);
  }

  override remove(path: string): void {
    this.inject('remove', path);
    super.remove(path);
  }

  override removeTree(path: string): void {
    this.inject('removeTree', path);
    super.removeTree(path);
  }

  override async syncDir(dir: string): Promise<void> {
    this.inject('syncDir', dir);
    await super.syncDir(dir);
    this.counters.syncDirs++;
  }

  override size(path: string): number {
    this.inject('size', path);
    return super.size(path);
  }

  override lock(path: string): { release(): void } {
    this.inject('lock', path);
    return super.lock(path);
  }

  private inject(op: FaultyOp, path: string): void {
    const queue = this.faults.get(op);
    if (queue === undefined || queue.length === 0) return;
    const error = queue.shift();
    this.counters.injectedFaults++;
    throw (
      error ??
      new DynamisError('IO_ERROR', `${op} ${path}: injected fault`, {
        details: { path, errno: 'EIO', injected: true },
      })
    );
  }

  /** Throws if the handle was opened before the last crash, then applies any armed fault. */
  private guard(epoch: number, op: FaultyOp, path: string): void {
    if (epoch !== this.epoch) {
      throw new DynamisError('IO_ERROR', `${op} ${path}: handle invalidated by a crash`, {
        details: { path, errno: 'EBADF', crashed: true },
      });
    }
    this.inject(op, path);
  }

  private wrapWritable(inner: WritableFile): WritableFile {
    const epoch = this.epoch;
    const path = inner.path;
    const counters = this.counters;
    return {
      path,
      get size() {
        return inner.size;
      },
      append: (data: Uint8Array): void => {
        this.guard(epoch, 'append', path);
        inner.append(data);
        counters.appends++;
        counters.appendedBytes += data.length;
      },
      sync: async (): Promise<void> => {
        this.guard(epoch, 'sync', path);
        await inner.sync();
        counters.syncs++;
      },
      close: async (): Promise<void> => {
        this.guard(epoch, 'close', path);
        await inner.close();
      },
    };
  }

  private wrapReadable(inner: RandomAccessFile): RandomAccessFile {
    const epoch = this.epoch;
    return {
      path: inner.path,
      size: inner.size,
      read: (position: number, length: number): Uint8Array => {
        this.guard(epoch, 'read', inner.path);
        return inner.read(position, length);
      },
      readInto: (position: number, length: number, target: Uint8Array, targetOffset: number): number => {
        this.guard(epoch, 'read', inner.path);
        return inner.readInto(position, length, target, targetOffset);
      },
      close: (): void => {
        this.guard(epoch, 'close', inner.path);
        inner.close();
      },
    };
  }

  /** Restores `dir`'s durable entries, then recurses; each file is reverted once. */
  private revertDir(dir: MemDir, seen: Set<MemFile>, random: (() => number) | undefined): void {
    dir.entries = new Map(dir.durable);
    for (const node of dir.entries.values()) {
      if (node.kind === 'dir') {
        this.revertDir(node, seen, random);
      } else if (!seen.has(node)) {
        seen.add(node);
        revertFile(node, random);
      }
    }
  }
}

/** Cuts a file back to its durable content, keeping a random prefix of the unsynced tail if `random` is given. */
function revertFile(f: MemFile, random: (() => number) | undefined): void {
  if (f.shadow !== undefined) {
    f.data = f.shadow;
    f.length = f.shadow.length;
    f.shadow = undefined;
  } else {
    const tail = f.length - f.synced;
    const kept = random === undefined ? 0 : Math.min(tail, Math.floor(random() * (tail + 1)));
    f.length = f.synced + Math.max(0, kept);
  }
  f.synced = f.length;
}
