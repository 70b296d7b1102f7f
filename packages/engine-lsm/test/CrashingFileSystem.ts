import { DynamisError, type WritableFile } from '@dynamis/core';
import { FaultyFileSystem, type CrashOptions } from '@dynamis/testkit';

/**
 * A FaultyFileSystem that loses power by itself at a chosen point: before
 * the Nth mutating operation (append, sync, create, rename, remove,
 * syncDir) after `armCrash(n)`, it calls `crash()` and makes that operation
 * throw IO_ERROR, as the write(2) in flight when the power went. So a
 * crash can land inside a WAL append, a flush, a compaction or a manifest
 * update. `crashedAt` records which operation on which file took the hit.
 */
export class CrashingFileSystem extends FaultyFileSystem {
  private countdown = 0;
  private crashOptions: CrashOptions = {};
  /** Mutating operations seen so far (the unit `armCrash` counts in). */
  ops = 0;
  /** Every mutating operation seen so far, in order: `${op} ${path}` (the crashed one included). */
  readonly trail: string[] = [];
  /** What the last armed crash hit: `${op} ${path}`, or undefined while armed / disarmed. */
  crashedAt: string | undefined = undefined;

  /** Crash before the `n`th mutating operation from now (n >= 1). */
  armCrash(n: number, options: CrashOptions = {}): void {
    this.countdown = n;
    this.crashOptions = options;
    this.crashedAt = undefined;
  }

  get armed(): boolean {
    return this.countdown > 0;
  }

  override create(path: string): WritableFile {
    this.tick('create', path);
    return this.wrap(super.create(path));
  }

  override openAppend(path: string): WritableFile {
    this.tick('openAppend', path);
    return this.wrap(super.openAppend(path));
  }

  override rename(from: string, to: string): void {
    this.tick('rename', from);
    super.rename(from, to);
  }

  override remove(path: string): void {
    this.tick('remove', path);
    super.remove(path);
  }

  override async syncDir(dir: string): Promise<void> {
    this.tick('syncDir', dir);
    await super.syncDir(dir);
  }

  private wrap(inner: WritableFile): WritableFile {
    return {
      path: inner.path,
      get size() {
        return inner.size;
      },
      append: (data: Uint8Array): void => {
        this.tick('append', inner.path);
        inner.append(data);
      },
      sync: async (): Promise<void> => {
        this.tick('sync', inner.path);
        await inner.sync();
      },
      close: () => inner.close(),
    };
  }

  private tick(op: string, path: string): void {
    this.ops++;
    this.trail.push(`${op} ${path}`);
    if (this.countdown === 0 || --this.countdown > 0) return;
    this.crashedAt = `${op} ${path}`;
    this.crash(this.crashOptions);
    throw new DynamisError('IO_ERROR', `${op} ${path}: power lost`, { details: { path, errno: 'EIO', crashed: true } });
  }
}
