import { asVersion, DynamisError, type Version } from '@dynamis/core';

/**
 * An LWW version: a hybrid logical clock timestamp plus the writer's node id
 * as the tiebreak. Encoded so that byte order (memcmp) is version order:
 *
 *   6 bytes physical ms (big-endian) | 2 bytes logical counter (big-endian) | writer id (UTF-8)
 */
export interface Hlc {
  readonly physical: number;
  readonly logical: number;
  readonly writer: string;
}

export const HLC_HEADER = 8;
export const MAX_LOGICAL = 0xffff;
const MAX_WRITER_BYTES = 64;
/** WRITER_BYTE[b] is 1 for the bytes of a writer id: [A-Za-z0-9._-]. */
const WRITER_BYTE = new Uint8Array(256);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-') WRITER_BYTE[c.charCodeAt(0)] = 1;

/** The writer id last encoded and its UTF-8 bytes (a node stamps with one id: no encoding per version). */
let lastWriter = '';
let lastWriterBytes: Uint8Array = new Uint8Array(0);

/** Encodes a version. The caller passes a valid Hlc (physical < 2^48, logical <= MAX_LOGICAL, writer a node id). */
export function encodeHlc(h: Hlc): Version {
  if (h.writer !== lastWriter) {
    lastWriterBytes = Buffer.from(h.writer, 'utf8');
    lastWriter = h.writer;
  }
  const writer = lastWriterBytes;
  const out = Buffer.allocUnsafe(HLC_HEADER + writer.length);
  out.writeUIntBE(h.physical, 0, 6);
  out.writeUInt16BE(h.logical, 6);
  out.set(writer, HLC_HEADER);
  return asVersion(out);
}

/**
 * Decodes a version (or an LWW context, which has the same format); throws
 * INVALID_ARGUMENT if it is not a well-formed LWW version (size, writer id
 * not 1–64 chars of [A-Za-z0-9._-]). Never throws anything else.
 */
export function decodeHlc(v: Uint8Array): Hlc {
  if (!(v instanceof Uint8Array) || v.length < HLC_HEADER + 1 || v.length > HLC_HEADER + MAX_WRITER_BYTES) {
    throw new DynamisError('INVALID_ARGUMENT', `Not an LWW version (${v instanceof Uint8Array ? v.length : typeof v} bytes)`);
  }
  // Checked and decoded byte by byte (no regex, no Buffer view): this runs for every version a replica merges.
  let writer = '';
  for (let i = HLC_HEADER; i < v.length; i++) {
    const c = v[i]!;
    if (WRITER_BYTE[c] !== 1) throw new DynamisError('INVALID_ARGUMENT', 'Not an LWW version (bad writer id)');
    writer += String.fromCharCode(c);
  }
  const physical = (v[0]! * 0x10000 + v[1]! * 0x100 + v[2]!) * 0x1000000 + v[3]! * 0x10000 + v[4]! * 0x100 + v[5]!;
  return { physical, logical: v[6]! * 0x100 + v[7]!, writer };
}

/** Version order: <0 if a is older than b, 0 if equal, >0 if newer. */
export function compareHlc(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}
