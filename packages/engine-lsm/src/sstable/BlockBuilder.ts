import type { ByteBuffer } from '../util/ByteBuffer';

/**
 * Writes one block in LevelDB's block format into a shared ByteBuffer (so
 * the table is built in one buffer without copies). Each entry is
 * varint shared | varint nonShared | varint valueLength | key[shared..] |
 * value, where `shared` is the prefix length shared with the previous key
 * (0 at restart points, every `restartInterval` entries). The block ends
 * with the restart offsets (uint32 LE each) and their count (uint32 LE).
 *
 * Usage: begin(), add()..., finish(); keys must be added in the table's
 * order (the builder does not compare them).
 */
export class BlockBuilder {
  private start = 0;
  private restarts = new Uint32Array(64);
  private numRestarts = 0;
  private counter = 0;
  private entries = 0;
  private lastKey = new Uint8Array(64);
  private lastKeyLen = 0;

  constructor(
    private readonly out: ByteBuffer,
    private readonly restartInterval: number,
  ) {}

  /** Starts a block at the current end of the output buffer. */
  begin(): void {
    this.start = this.out.length;
    this.restarts[0] = 0;
    this.numRestarts = 1;
    this.counter = 0;
    this.entries = 0;
    this.lastKeyLen = 0;
  }

  /** Entries added since begin(). */
  get count(): number {
    return this.entries;
  }

  /** Size the block would have if finished now. */
  get sizeEstimate(): number {
    return this.out.length - this.start + 4 * this.numRestarts + 4;
  }

  /** Adds key[0, keyLen) with value[vStart, vEnd). */
  add(key: Uint8Array, keyLen: number, value: Uint8Array, vStart: number, vEnd: number): void {
    let shared = 0;
    if (this.counter < this.restartInterval) {
      const last = this.lastKey;
      const max = keyLen < this.lastKeyLen ? keyLen : this.lastKeyLen;
      while (shared < max && last[shared] === key[shared]) shared++;
    } else {
      if (this.numRestarts === this.restarts.length) this.growRestarts();
      this.restarts[this.numRestarts++] = this.out.length - this.start;
      this.counter = 0;
    }
    const out = this.out;
    out.putVarint(shared);
    out.putVarint(keyLen - shared);
    out.putVarint(vEnd - vStart);
    out.putBytes(key, shared, keyLen);
    out.putBytes(value, vStart, vEnd);
    if (keyLen > this.lastKey.length) this.lastKey = new Uint8Array(keyLen * 2);
    const last = this.lastKey;
    for (let i = shared; i < keyLen; i++) last[i] = key[i]!;
    this.lastKeyLen = keyLen;
    this.counter++;
    this.entries++;
  }

  /** Appends the restart array; returns the block's contents length. */
  finish(): number {
    const out = this.out;
    for (let i = 0; i < this.numRestarts; i++) out.putFixed32(this.restarts[i]!);
    out.putFixed32(this.numRestarts);
    return out.length - this.start;
  }

  private growRestarts(): void {
    const grown = new Uint32Array(this.restarts.length * 2);
    grown.set(this.restarts);
    this.restarts = grown;
  }
}
