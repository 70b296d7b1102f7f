import { invalidArgument } from './corruption';

/**
 * Internal keys: a user key, a sequence number and a kind. Internal order is
 * user key ascending (unsigned bytes, shorter prefix first), then sequence
 * DESCENDING (newest first), then kind descending. On disk an internal key is
 * the user key followed by an 8-byte trailer: the little-endian uint64
 * `seq * 256 + kind` (LevelDB's layout).
 */
export type EntryKind = 0 | 1;

/** A deletion marker (tombstone). */
export const KIND_DELETION = 0 as const;
/** A value. Also the kind used for seek targets (sorts first among equal seqs). */
export const KIND_VALUE = 1 as const;

/** The largest sequence number: 2^53 - 1. Sequences are integers in [0, MAX_SEQ]. */
export const MAX_SEQ = Number.MAX_SAFE_INTEGER;

/** Bytes of the internal-key trailer. */
export const TRAILER_BYTES = 8;

/** A decoded internal key (user key bytes owned as stated by whoever returns it). */
export interface InternalKey {
  readonly key: Uint8Array;
  readonly seq: number;
  readonly kind: EntryKind;
}

/** Throws INVALID_ARGUMENT unless `seq` is an integer in [0, MAX_SEQ]. */
export function checkSeq(seq: number): void {
  if (!Number.isSafeInteger(seq) || seq < 0) throw invalidArgument(`bad sequence number ${seq}`, { seq });
}

/** Throws INVALID_ARGUMENT unless `kind` is 0 or 1. */
export function checkKind(kind: number): asserts kind is EntryKind {
  if (kind !== 0 && kind !== 1) throw invalidArgument(`bad entry kind ${kind}`, { kind });
}

/** Maps a snapshot bound (Infinity allowed) to a sequence number. */
export function snapshotToSeq(snapshotSeq: number): number {
  return snapshotSeq >= MAX_SEQ ? MAX_SEQ : snapshotSeq;
}

/**
 * Compares `a[aStart, aEnd)` with `b[bStart, bEnd)` as unsigned bytes,
 * a proper prefix first. Returns <0, 0 or >0. Allocates nothing.
 */
export function compareRange(a: Uint8Array, aStart: number, aEnd: number, b: Uint8Array, bStart: number, bEnd: number): number {
  const aLen = aEnd - aStart;
  const bLen = bEnd - bStart;
  const n = aLen < bLen ? aLen : bLen;
  for (let i = 0; i < n; i++) {
    const d = a[aStart + i]! - b[bStart + i]!;
    if (d !== 0) return d;
  }
  return aLen - bLen;
}

/** Internal-order comparison of two decoded internal keys. */
export function compareInternal(aKey: Uint8Array, aSeq: number, aKind: number, bKey: Uint8Array, bSeq: number, bKind: number): number {
  const c = compareRange(aKey, 0, aKey.length, bKey, 0, bKey.length);
  if (c !== 0) return c;
  if (aSeq !== bSeq) return aSeq > bSeq ? -1 : 1;
  return bKind - aKind;
}

/** Writes the 8-byte trailer for (seq, kind) at `pos`. */
export function writeTrailer(buf: Uint8Array, pos: number, seq: number, kind: number): void {
  const lo = seq % 0x1000000; // low 24 bits of seq share the first word with kind
  const hi = Math.floor(seq / 0x1000000);
  const w0 = ((lo << 8) | kind) >>> 0;
  buf[pos] = w0 & 0xff;
  buf[pos + 1] = (w0 >>> 8) & 0xff;
  buf[pos + 2] = (w0 >>> 16) & 0xff;
  buf[pos + 3] = w0 >>> 24;
  buf[pos + 4] = hi & 0xff;
  buf[pos + 5] = (hi >>> 8) & 0xff;
  buf[pos + 6] = (hi >>> 16) & 0xff;
  buf[pos + 7] = (hi >>> 24) & 0xff;
}

/** Kind byte of the trailer at `pos` (may be any byte in corrupt data). */
export function trailerKind(buf: Uint8Array, pos: number): number {
  return buf[pos]!;
}

/** Sequence number of the trailer at `pos`; -1 if it exceeds MAX_SEQ. */
export function trailerSeq(buf: Uint8Array, pos: number): number {
  const w0 = (buf[pos]! | (buf[pos + 1]! << 8) | (buf[pos + 2]! << 16) | (buf[pos + 3]! << 24)) >>> 0;
  const hi = (buf[pos + 4]! | (buf[pos + 5]! << 8) | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 24)) >>> 0;
  if (hi >= 0x20000000) return -1;
  return hi * 0x1000000 + (w0 >>> 8);
}
