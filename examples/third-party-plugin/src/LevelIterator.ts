import { AbstractEngineIterator, type Entry, type IteratorSpec } from '@dynamis/core';
import { levelError } from './levelError';
import type { LevelSnapshot } from './LevelSnapshot';

/** What this file needs of a classic-level iterator opened with keyEncoding and valueEncoding 'view'. */
export interface LevelIteratorHandle {
  next(): Promise<[Uint8Array, Uint8Array] | undefined>;
  nextv(size: number): Promise<[Uint8Array, Uint8Array][]>;
  seek(target: Uint8Array): void;
  close(): Promise<void>;
}

/** Entries fetched per nextv when the caller asks for "as many as you like". */
const NEXTV_CHUNK = 1000;

/**
 * An EngineIterator over a classic-level iterator. LevelDB reads a snapshot
 * taken when the iterator was created (or the explicit snapshot given, held
 * until this iterator closes), so later writes are invisible to it. The base
 * class does the state checks, the limit and the range check of seek().
 * Keys and values are fresh Buffers from the native binding (the caller's).
 */
export class LevelIterator extends AbstractEngineIterator {
  constructor(
    private readonly it: LevelIteratorHandle,
    spec: IteratorSpec,
    private snapshot: LevelSnapshot | undefined,
    private readonly path: string,
  ) {
    super(spec.limit, spec);
  }

  protected override async _next(): Promise<Entry | undefined> {
    try {
      return await this.it.next();
    } catch (err) {
      throw levelError(err, 'iterator.next', this.path);
    }
  }

  protected override async _nextv(size: number): Promise<Entry[]> {
    try {
      return await this.it.nextv(size === Infinity ? NEXTV_CHUNK : size);
    } catch (err) {
      throw levelError(err, 'iterator.nextv', this.path);
    }
  }

  protected override _seek(target: Uint8Array): void {
    this.it.seek(target);
  }

  protected override async _close(): Promise<void> {
    try {
      await this.it.close();
    } finally {
      this.snapshot?.drop();
      this.snapshot = undefined;
    }
  }
}
