import { readFixed32 } from '../util/coding';
import { corruption } from '../util/corruption';

/**
 * A verified block's contents, parsed just enough to iterate: the entries
 * occupy [0, restartsOffset), then `numRestarts` little-endian uint32
 * restart offsets, then the count. Immutable; shared through the block
 * cache by every iterator of the table.
 */
export class Block {
  readonly restartsOffset: number;
  readonly numRestarts: number;

  /**
   * Throws CORRUPTION (naming `file` and `fileOffset`, the block's offset in
   * the file) if the restart array does not fit.
   */
  constructor(
    readonly data: Uint8Array,
    readonly file: string,
    readonly fileOffset: number,
  ) {
    if (data.length < 4) throw corruption('block too short', file, fileOffset);
    const n = readFixed32(data, data.length - 4);
    const max = (data.length - 4) / 4;
    if (n === 0 || n > max) throw corruption(`bad restart count ${n}`, file, fileOffset);
    this.numRestarts = n;
    this.restartsOffset = data.length - 4 - 4 * n;
  }

  /** Entry offset of restart point `i` (validated by the iterator). */
  restartPoint(i: number): number {
    return readFixed32(this.data, this.restartsOffset + 4 * i);
  }
}
