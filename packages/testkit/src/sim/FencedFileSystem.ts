import { DynamisError, type FileSystem, type RandomAccessFile, type WritableFile } from '@dynamis/core';

/**
 * One incarnation's view of a simulated node's disk. A crashed process cannot
 * touch its disk again, but the dead node object's pending async work (a
 * flush, a compaction, a WAL append) may still run in the simulation; once
 * `fence()` is called every method of this view and of every handle opened
 * through it throws IO_ERROR (errno 'EBADF', details.crashed), and the lock
 * it held is gone, so nothing the dead node does reaches the disk the next
 * incarnation uses.
 */
export class FencedFileSystem implements FileSystem {
  private fenced = false;

  constructor(
    private readonly disk: FileSystem,
    private readonly node: string,
  ) {}

  /** Cuts this view off the disk for good. Idempotent. */
  fence(): void {
    this.fenced = true;
  }

  create(path: string): WritableFile {
    return this.writable(this.check('create', path, () => this.disk.create(path)));
  }

  openAppend(path: string): WritableFile {
    return this.writable(this.check('openAppend', path, () => this.disk.openAppend(path)));
  }

  openRead(path: string): RandomAccessFile {
    return this.readable(this.check('openRead', path, () => this.disk.openRead(path)));
  }

  readFile(path: string): Uint8Array {
    return this.check('readFile', path, () => this.disk.readFile(path));
  }

  exists(path: string): boolean {
    return this.check('exists', path, () => this.disk.exists(path));
  }

  list(dir: string): string[] {
    return this.check('list', dir, () => this.disk.list(dir));
  }

  mkdirp(dir: string): void {
    this.check('mkdirp', dir, () => this.disk.mkdirp(dir));
  }

  rename(from: string, to: string): void {
    this.check('rename', from, () => this.disk.rename(from, to));
  }

  remove(path: string): void {
    this.check('remove', path, () => this.disk.remove(path));
  }

  removeTree(path: string): void {
    this.check('removeTree', path, () => this.disk.removeTree(path));
  }

  syncDir(dir: string): Promise<void> {
    return this.checkAsync('syncDir', dir, () => this.disk.syncDir(dir));
  }

  size(path: string): number {
    return this.check('size', path, () => this.disk.size(path));
  }

  lock(path: string): { release(): void } {
    const held = this.check('lock', path, () => this.disk.lock(path));
    // After a crash the disk already dropped the lock; a late release must not free the next incarnation's.
    return { release: () => (this.fenced ? undefined : held.release()) };
  }

  private writable(inner: WritableFile): WritableFile {
    const { path } = inner;
    return {
      path,
      get size() {
        return inner.size;
      },
      append: (data) => this.check('append', path, () => inner.append(data)),
      sync: () => this.checkAsync('sync', path, () => inner.sync()),
      close: () => (this.fenced ? Promise.resolve() : inner.close()),
    };
  }

  private readable(inner: RandomAccessFile): RandomAccessFile {
    const { path } = inner;
    return {
      path,
      size: inner.size,
      read: (position, length) => this.check('read', path, () => inner.read(position, length)),
      readInto: (position, length, target, offset) => this.check('read', path, () => inner.readInto(position, length, target, offset)),
      close: () => (this.fenced ? undefined : inner.close()),
    };
  }

  private check<T>(op: string, path: string, fn: () => T): T {
    if (this.fenced) {
      throw new DynamisError('IO_ERROR', `${op} ${path}: node ${this.node} crashed`, { details: { path, errno: 'EBADF', crashed: true } });
    }
    return fn();
  }

  private checkAsync(op: string, path: string, fn: () => Promise<void>): Promise<void> {
    try {
      return this.check(op, path, fn);
    } catch (err) {
      return Promise.reject(err);
    }
  }
}
