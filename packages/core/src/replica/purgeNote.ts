import { DynamisError } from '../errors/DynamisError';
import { asVersion, type Version } from '../ports/types';

/** Format byte of a purge note. */
const NOTE_FORMAT = 1;

/**
 * The note recordCompactionFilter attaches to a purge (CompactionDecision
 * `note`, docs/format.md "Purge note"): the versions of the siblings it
 * dropped. Layout, big-endian:
 *
 *   u8 format (=1) | u32 count | count × (u32 length | version bytes)
 */
export function encodePurgeNote(versions: readonly Version[]): Uint8Array {
  let size = 5;
  for (const v of versions) size += 4 + v.length;
  const out = Buffer.allocUnsafe(size);
  out[0] = NOTE_FORMAT;
  out.writeUInt32BE(versions.length, 1);
  let pos = 5;
  for (const v of versions) {
    out.writeUInt32BE(v.length, pos);
    out.set(v, pos + 4);
    pos += 4 + v.length;
  }
  return out;
}

/** The versions of a purge note; CORRUPTION on an unknown format, a truncated field or trailing bytes. */
export function decodePurgeNote(bytes: Uint8Array): Version[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < 5 || buf[0] !== NOTE_FORMAT) throw corrupt(0, `unknown purge note format ${buf[0] ?? 'none'}`);
  const count = buf.readUInt32BE(1);
  const versions: Version[] = [];
  let pos = 5;
  for (let i = 0; i < count; i++) {
    if (pos + 4 > buf.length) throw corrupt(pos, 'truncated');
    const length = buf.readUInt32BE(pos);
    pos += 4;
    if (pos + length > buf.length) throw corrupt(pos, 'truncated');
    versions.push(asVersion(Uint8Array.from(buf.subarray(pos, pos + length))));
    pos += length;
  }
  if (pos !== buf.length) throw corrupt(pos, `${buf.length - pos} trailing bytes`);
  return versions;
}

function corrupt(offset: number, why: string): DynamisError {
  return new DynamisError('CORRUPTION', `Corrupt purge note at byte ${offset}: ${why}`, { details: { where: 'purge note', offset } });
}
