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
const WRITER = /^[A-Za-z0-9._-]{1,64}$/;

/** Encodes a version. The caller passes a valid Hlc (physical < 2^48, logical <= MAX_LOGICAL, writer a node id). */
export function encodeHlc(h: Hlc): Version {
  const writer = Buffer.from(h.writer, 'utf8');
  const out = Buffer.allocUnsafe(HLC_HEADER + writer.length);
  out.writeUIntBE(h.physical, 0, 6);
  out.writeUInt16BE(h.logical, 6);
  writer.copy(out, HLC_HEADER);
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
  const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  const writer = b.toString('latin1', HLC_HEADER);
  if (!WRITER.test(writer)) throw new DynamisError('INVALID_ARGUMENT', 'Not an LWW version (bad writer id)');
  return { physical: b.readUIntBE(0, 6), logical: b.readUInt16BE(6), writer };
}

/** Version order: <0 if a is older than b, 0 if equal, >0 if newer. */
export function compareHlc(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}
