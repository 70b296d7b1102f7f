import { DynamisError } from '../errors/DynamisError';
import { asVersion, type Sibling } from '../ports/types';

/**
 * The replica record: every live sibling of one key, as stored in the engine
 * (docs/format.md, "Replica record"). Layout, all integers little-endian:
 *
 *   u8 format (=1) | varint count | count × sibling
 *   sibling: u8 flags (bit0 tombstone, bit1 has expiry)
 *            | varint versionLength | version bytes
 *            | f64 writtenAt | [f64 expiresAt] | [varint valueLength | value]
 */
export const RECORD_FORMAT = 1;
const TOMBSTONE = 1;
const HAS_EXPIRY = 2;

export function encodeRecord(siblings: readonly Sibling[]): Uint8Array {
  let size = 1 + varintSize(siblings.length);
  for (const s of siblings) {
    size += 1 + varintSize(s.version.length) + s.version.length + 8;
    if (s.expiresAt !== undefined) size += 8;
    if (s.value !== null) size += varintSize(s.value.length) + s.value.length;
  }
  const out = Buffer.allocUnsafe(size);
  let pos = 0;
  out[pos++] = RECORD_FORMAT;
  pos = writeVarint(out, pos, siblings.length);
  for (const s of siblings) {
    out[pos++] = (s.value === null ? TOMBSTONE : 0) | (s.expiresAt !== undefined ? HAS_EXPIRY : 0);
    pos = writeVarint(out, pos, s.version.length);
    out.set(s.version, pos);
    pos += s.version.length;
    out.writeDoubleLE(s.writtenAt, pos);
    pos += 8;
    if (s.expiresAt !== undefined) {
      out.writeDoubleLE(s.expiresAt, pos);
      pos += 8;
    }
    if (s.value !== null) {
      pos = writeVarint(out, pos, s.value.length);
      out.set(s.value, pos);
      pos += s.value.length;
    }
  }
  return out;
}

/**
 * Decodes a record into siblings whose version and value bytes are fresh
 * copies; throws CORRUPTION on any malformation, naming `where` and, when
 * given, the user `key` it is the record of (the message is only built on
 * failure).
 */
export function decodeRecord(bytes: Uint8Array, where = 'record', key?: string): Sibling[] {
  return decode(bytes, where, key, false);
}

/**
 * decodeRecord without copying: each version and value is a view into
 * `bytes` (a plain Uint8Array over the same memory). Only for bytes the
 * caller owns and never mutates nor reuses, e.g. what StorageEngine.get or an
 * iterator returned (the engine hands those to the caller); the siblings keep
 * `bytes` alive.
 */
export function decodeRecordShared(bytes: Uint8Array, where = 'record', key?: string): Sibling[] {
  return decode(bytes, where, key, true);
}

function decode(bytes: Uint8Array, where: string, key: string | undefined, share: boolean): Sibling[] {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const reader: Reader = { buf, pos: 0, where, key, share };
  if (buf.length < 2 || buf[0] !== RECORD_FORMAT) corrupt(reader, `unknown record format ${buf[0] ?? 'none'}`);
  reader.pos = 1;
  const count = readVarint(reader);
  const siblings: Sibling[] = [];
  for (let i = 0; i < count; i++) {
    const flags = readByte(reader);
    if ((flags & ~(TOMBSTONE | HAS_EXPIRY)) !== 0) corrupt(reader, `bad sibling flags ${flags}`);
    const version = asVersion(readBytes(reader, readVarint(reader)));
    const writtenAt = readDouble(reader);
    const expiresAt = (flags & HAS_EXPIRY) !== 0 ? readDouble(reader) : undefined;
    const value = (flags & TOMBSTONE) !== 0 ? null : readBytes(reader, readVarint(reader));
    siblings.push(expiresAt === undefined ? { version, value, writtenAt } : { version, value, writtenAt, expiresAt });
  }
  if (reader.pos !== buf.length) corrupt(reader, `${buf.length - reader.pos} trailing bytes`);
  return siblings;
}

interface Reader {
  buf: Buffer;
  pos: number;
  where: string;
  key: string | undefined;
  /** Return views into `buf` instead of copies (decodeRecordShared). */
  share: boolean;
}

function corrupt(r: Reader, why: string): never {
  const where = r.key === undefined ? r.where : `${r.where} of key ${JSON.stringify(r.key)}`;
  throw new DynamisError('CORRUPTION', `Corrupt ${where} at byte ${r.pos}: ${why}`, { details: { where, offset: r.pos } });
}

function readByte(r: Reader): number {
  if (r.pos >= r.buf.length) corrupt(r, 'truncated');
  return r.buf[r.pos++]!;
}

function readBytes(r: Reader, n: number): Uint8Array {
  if (r.pos + n > r.buf.length) corrupt(r, 'truncated');
  let out: Uint8Array;
  if (r.share) {
    out = new Uint8Array(r.buf.buffer, r.buf.byteOffset + r.pos, n);
  } else {
    out = new Uint8Array(n);
    out.set(r.buf.subarray(r.pos, r.pos + n));
  }
  r.pos += n;
  return out;
}

function readDouble(r: Reader): number {
  if (r.pos + 8 > r.buf.length) corrupt(r, 'truncated');
  const v = r.buf.readDoubleLE(r.pos);
  r.pos += 8;
  if (!Number.isFinite(v)) corrupt(r, 'non-finite timestamp');
  return v;
}

function readVarint(r: Reader): number {
  let result = 0;
  let shift = 0;
  for (;;) {
    const b = readByte(r);
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) break;
    shift += 7;
    if (shift > 35) corrupt(r, 'varint too long');
  }
  return result;
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function writeVarint(out: Buffer, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}
