/**
 * Decoding helpers for the on-disk formats (see docs/format.md). Varint
 * decoding reports its end position through `varintEnd` on a caller-owned
 * `VarintCursor` so the hot paths allocate nothing; a malformed varint
 * (running past `limit`, or longer than 8 bytes, i.e. >= 2^56) yields -1.
 */
export interface VarintCursor {
  /** Position just after the last varint decoded (undefined after -1). */
  pos: number;
}

/**
 * Decodes the varint at `pos` (bytes before `limit` only). Returns the value
 * and sets `cur.pos` past it, or returns -1 when malformed. Values up to
 * 2^53 - 1 are exact; longer encodings are malformed.
 */
export function readVarint(buf: Uint8Array, pos: number, limit: number, cur: VarintCursor): number {
  if (pos < limit) {
    const b = buf[pos]!;
    if (b < 0x80) {
      cur.pos = pos + 1;
      return b;
    }
  }
  let result = 0;
  let mul = 1;
  for (let i = 0; i < 8 && pos < limit; i++) {
    const b = buf[pos++]!;
    result += (b & 0x7f) * mul;
    if (b < 0x80) {
      if (!Number.isSafeInteger(result)) return -1;
      cur.pos = pos;
      return result;
    }
    mul *= 128;
  }
  return -1;
}

/** Little-endian uint32 at `pos` (caller checks bounds). */
export function readFixed32(buf: Uint8Array, pos: number): number {
  return (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
}

/** Little-endian uint64 at `pos`; -1 when it is not below 2^53. */
export function readFixed64(buf: Uint8Array, pos: number): number {
  const hi = readFixed32(buf, pos + 4);
  if (hi >= 0x200000) return -1;
  return hi * 0x100000000 + readFixed32(buf, pos);
}
