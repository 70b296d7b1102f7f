import { corruption } from '../util/corruption';
import { KIND_VALUE, MAX_SEQ, TRAILER_BYTES } from '../util/internalKey';
import type { EntryKind } from '../util/internalKey';
import type { InternalIterator } from '../util/InternalIterator';
import { BlockIterator } from './BlockIterator';
import type { TableReader } from './TableReader';

const EMPTY = new Uint8Array(0);

/**
 * A cursor over one table in internal order (see InternalIterator): the
 * index position plus a BlockIterator over the current data block. `key`
 * and `value` are views valid until the iterator moves (the key lives in a
 * reused scratch array). Valid only while its TableReader is open.
 */
export class TableIterator implements InternalIterator {
  private readonly it = new BlockIterator();
  private blockIndex = -1;

  constructor(private readonly table: TableReader) {}

  get valid(): boolean {
    return this.blockIndex >= 0 && this.it.valid;
  }

  seekToFirst(): void {
    this.load(0);
    if (this.blockIndex >= 0) this.it.seekToFirst();
    this.skipEmptyForward();
  }

  seekToLast(): void {
    this.load(this.table.index.count - 1);
    if (this.blockIndex >= 0) this.it.seekToLast();
    this.skipEmptyBackward();
  }

  seek(key: Uint8Array, seq = MAX_SEQ): void {
    this.load(this.table.index.find(key, seq, KIND_VALUE));
    if (this.blockIndex < 0) return;
    this.it.seek(key, seq, KIND_VALUE);
    this.skipEmptyForward();
  }

  next(): void {
    if (!this.valid) return;
    this.it.next();
    this.skipEmptyForward();
  }

  prev(): void {
    if (!this.valid) return;
    this.it.prev();
    this.skipEmptyBackward();
  }

  get key(): Uint8Array {
    return this.valid ? this.it.scratch.subarray(0, this.it.keyLen - TRAILER_BYTES) : EMPTY;
  }

  get seq(): number {
    return this.it.seq;
  }

  get kind(): EntryKind {
    const k = this.it.kind;
    if (k === KIND_VALUE || k === 0) return k;
    const table = this.table;
    throw corruption(`bad entry kind ${k}`, table.path, table.index.offsets[this.blockIndex]!);
  }

  get value(): Uint8Array {
    return this.valid ? this.it.blockData.subarray(this.it.valueStart, this.it.valueEnd) : EMPTY;
  }

  /** Points at block `i`, or becomes invalid if `i` is out of range. */
  private load(i: number): void {
    if (i < 0 || i >= this.table.index.count) {
      this.blockIndex = -1;
      return;
    }
    this.it.reset(this.table.block(i));
    this.blockIndex = i;
  }

  private skipEmptyForward(): void {
    while (this.blockIndex >= 0 && !this.it.valid) {
      this.load(this.blockIndex + 1);
      if (this.blockIndex >= 0) this.it.seekToFirst();
    }
  }

  private skipEmptyBackward(): void {
    while (this.blockIndex >= 0 && !this.it.valid) {
      this.load(this.blockIndex - 1);
      if (this.blockIndex >= 0) this.it.seekToLast();
    }
  }
}
