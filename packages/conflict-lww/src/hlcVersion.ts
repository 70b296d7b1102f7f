import { DynamisError } from '@dynamis/core';

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

export function encodeHlc(h: Hlc): Uint8Array {
  const writer = Buffer.from(h.writer, 'utf8');
  const out = Buffer.allocUnsafe(HLC_HEADER + writer.length);
  out.writeUIntBE(h.physical, 0, 6);
  out.writeUInt16BE(h.logical, 6);
  writer.copy(out, HLC_HEADER);
  return out;
}

/** Decodes a version; throws INVALID_ARGUMENT if it is not a well-formed LWW version. */
export function decodeHlc(v: Uint8Array): Hlc {
  if (!(v instanceof Uint8Array) || v.length < HLC_HEADER + 1 || v.length > HLC_HEADER + MAX_WRITER_BYTES) {
    throw new DynamisError('INVALID_ARGUMENT', `Not an LWW version (${v?.length ?? 0} bytes)`);
  }
  const b = Buffer.from(v.buffer, v.byteOffset, v.byteLength);
  return { physical: b.readUIntBE(0, 6), logical: b.readUInt16BE(6), writer: b.toString('utf8', HLC_HEADER) };
}

/** Version order: <0 if a is older than b, 0 if equal, >0 if newer. */
export function compareHlc(a: Uint8Array, b: Uint8Array): number {
  return Buffer.compare(a, b);
}
