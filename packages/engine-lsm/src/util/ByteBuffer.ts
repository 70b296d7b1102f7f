/**
 * A reusable, growing byte buffer for building blocks, log fragments and
 * batches without per-entry allocation. Bytes live in `buf[0, length)`;
 * `buf` is replaced (never shrunk) when it must grow, so callers re-read
 * `buf` after any write. `reset()` keeps the capacity.
 *
 * Numbers written by the varint/fixed helpers must be non-negative safe
 * integers (< 2^53); the helpers do not check, callers validate at their
 * public boundary.
 */
export class ByteBuffer {
  buf: Uint8Array;
  length = 0;

  constructor(initialCapacity = 4096) {
    this.buf = new Uint8Array(Math.max(16, initialCapacity));
  }

  /** Empties the buffer, keeping its capacity. */
  reset(): void {
    this.length = 0;
  }

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const grown = new Uint8Array(cap);
    grown.set(this.buf.subarray(0, this.length));
    this.buf = grown;
  }

  putByte(b: number): void {
    if (this.length >= this.buf.length) this.ensure(1);
    this.buf[this.length++] = b;
  }

  /** Appends `src[start, end)` (the whole array by default). */
  putBytes(src: Uint8Array, start = 0, end = src.length): void {
    const n = end - start;
    this.ensure(n);
    const buf = this.buf;
    let p = this.length;
    if (n <= 32) {
      for (let i = start; i < end; i++) buf[p++] = src[i]!;
    } else {
      buf.set(start === 0 && end === src.length ? src : src.subarray(start, end), p);
    }
    this.length += n;
  }

  /** Appends `n` zero bytes. */
  putZeros(n: number): void {
    this.ensure(n);
    this.buf.fill(0, this.length, this.length + n);
    this.length += n;
  }

  /** Appends an unsigned LEB128 varint (up to 8 bytes for values < 2^53). */
  putVarint(v: number): void {
    this.ensure(8);
    this.length = writeVarint(this.buf, this.length, v);
  }

  /** Appends a little-endian uint32. */
  putFixed32(v: number): void {
    this.ensure(4);
    writeFixed32(this.buf, this.length, v);
    this.length += 4;
  }

  /** Appends a little-endian uint64 holding `v` < 2^53. */
  putFixed64(v: number): void {
    this.ensure(8);
    writeFixed64(this.buf, this.length, v);
    this.length += 8;
  }

  /** A view of the written bytes; valid until the next write or reset. */
  view(start = 0, end = this.length): Uint8Array {
    return this.buf.subarray(start, end);
  }
}

/** Writes a varint at `pos`; returns the position after it. */
export function writeVarint(buf: Uint8Array, pos: number, v: number): number {
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80;
    v = v >= 0x80000000 ? Math.floor(v / 128) : v >>> 7;
  }
  buf[pos++] = v;
  return pos;
}

/** Bytes a varint of `v` takes. */
export function varintLength(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

export function writeFixed32(buf: Uint8Array, pos: number, v: number): void {
  buf[pos] = v & 0xff;
  buf[pos + 1] = (v >>> 8) & 0xff;
  buf[pos + 2] = (v >>> 16) & 0xff;
  buf[pos + 3] = (v >>> 24) & 0xff;
}

export function writeFixed64(buf: Uint8Array, pos: number, v: number): void {
  writeFixed32(buf, pos, v >>> 0);
  writeFixed32(buf, pos + 4, Math.floor(v / 0x100000000) >>> 0);
}
