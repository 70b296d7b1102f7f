import { asCausalContext, asVersion, DynamisError, type CausalContext, type Version } from '@dynamis/core';
import type { Dot, VersionVector } from './versionVector';

/**
 * Byte formats (README "Format"). Every integer is an unsigned LEB128 varint
 * in its shortest form, at most 2^53 - 1; node ids are 1–64 bytes of
 * [A-Za-z0-9._-], preceded by a one-byte length.
 *
 *   entry   = idLen:u8 | id | counter:varint (>= 1)
 *   context = (empty: zero bytes) | 0xC1 | n:varint (>= 1) | n × entry
 *   version = 0xD1 | idLen:u8 | id | counter:varint (>= 1) | n:varint | n × entry
 *
 * Entries are strictly ascending by id, so one vector has one encoding. A
 * version is a dot (node, counter) plus its causal past (the context the
 * write carried), and its past never covers its own dot. The distinct first
 * bytes mean a context can never be decoded as a version or vice versa.
 */
export const CONTEXT_TAG = 0xc1;
export const VERSION_TAG = 0xd1;

const MAX_ID = 64;
const MAX_VARINT = 8;
const ID = /^[A-Za-z0-9._-]{1,64}$/;

/** A decoded version: the dot of the write and its causal past. */
export interface Dvv {
  readonly dot: Dot;
  readonly past: VersionVector;
}

/** The largest encoding a context or version with `maxEntries` entries can have. */
export function maxEncodedBytes(maxEntries: number): number {
  return 1 + (1 + MAX_ID + MAX_VARINT) + MAX_VARINT + maxEntries * (1 + MAX_ID + MAX_VARINT);
}

export function encodeContext(vv: VersionVector): CausalContext {
  if (vv.length === 0) return asCausalContext(new Uint8Array(0));
  const out: number[] = [CONTEXT_TAG];
  writeVarint(out, vv.length);
  writeEntries(out, vv);
  return asCausalContext(Uint8Array.from(out));
}

export function encodeVersion(v: Dvv): Version {
  const out: number[] = [VERSION_TAG];
  writeId(out, v.dot.node);
  writeVarint(out, v.dot.counter);
  writeVarint(out, v.past.length);
  writeEntries(out, v.past);
  return asVersion(Uint8Array.from(out));
}

/** Decodes a context of at most `maxEntries` entries; throws INVALID_ARGUMENT on anything else. */
export function decodeContext(bytes: Uint8Array, maxEntries: number): VersionVector {
  if (bytes instanceof Uint8Array && bytes.length === 0) return [];
  const r = reader(bytes, 'causal context', maxEntries);
  if (r.bytes[0] !== CONTEXT_TAG) invalid(r, bytes[0] === VERSION_TAG ? 'a version, not a causal context' : 'unknown format');
  r.pos = 1;
  const n = readVarint(r);
  if (n < 1 || n > maxEntries) invalid(r, `${n} entries (1 to maxContextEntries ${maxEntries} allowed)`);
  const vv = readEntries(r, n);
  if (r.pos !== r.bytes.length) invalid(r, 'trailing bytes');
  return vv;
}

/** Decodes a version whose past has at most `maxEntries` entries; throws INVALID_ARGUMENT on anything else. */
export function decodeVersion(bytes: Uint8Array, maxEntries: number): Dvv {
  const r = reader(bytes, 'version', maxEntries);
  if (r.bytes[0] !== VERSION_TAG) invalid(r, bytes[0] === CONTEXT_TAG ? 'a causal context, not a version' : 'unknown format');
  r.pos = 1;
  const node = readId(r);
  const counter = readCounter(r);
  const n = readVarint(r);
  if (n > maxEntries) invalid(r, `${n} entries in its past (maxContextEntries is ${maxEntries})`);
  const past = readEntries(r, n);
  if (r.pos !== r.bytes.length) invalid(r, 'trailing bytes');
  if (past.some(([id, c]) => id === node && c >= counter)) invalid(r, 'its past covers its own dot');
  return { dot: { node, counter }, past };
}

interface Reader {
  readonly bytes: Uint8Array;
  readonly what: string;
  pos: number;
}

function reader(bytes: Uint8Array, what: string, maxEntries: number): Reader {
  if (!(bytes instanceof Uint8Array)) throw new DynamisError('INVALID_ARGUMENT', `Not a vclock ${what}: not a Uint8Array`);
  const max = maxEncodedBytes(maxEntries);
  if (bytes.length === 0 || bytes.length > max) {
    throw new DynamisError('INVALID_ARGUMENT', `Not a vclock ${what}: ${bytes.length} bytes (1 to ${max} allowed)`, {
      details: { bytes: bytes.length, max },
    });
  }
  return { bytes, what, pos: 0 };
}

function invalid(r: Reader, why: string): never {
  throw new DynamisError('INVALID_ARGUMENT', `Not a vclock ${r.what}: ${why}`, { details: { offset: r.pos } });
}

function readEntries(r: Reader, n: number): VersionVector {
  const vv: (readonly [string, number])[] = [];
  for (let i = 0; i < n; i++) {
    const id = readId(r);
    const last = vv[vv.length - 1];
    if (last !== undefined && !(last[0] < id)) invalid(r, 'entries not strictly ascending by node id');
    vv.push([id, readCounter(r)]);
  }
  return vv;
}

function readId(r: Reader): string {
  const len = r.bytes[r.pos];
  if (len === undefined || len < 1 || len > MAX_ID || r.pos + 1 + len > r.bytes.length) invalid(r, 'bad node id length');
  const id = Buffer.from(r.bytes.buffer, r.bytes.byteOffset + r.pos + 1, len).toString('latin1');
  if (!ID.test(id)) invalid(r, 'node id not [A-Za-z0-9._-]');
  r.pos += 1 + len;
  return id;
}

function readCounter(r: Reader): number {
  const c = readVarint(r);
  if (c < 1) invalid(r, 'counter 0');
  return c;
}

function readVarint(r: Reader): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT; i++) {
    const b = r.bytes[r.pos++];
    if (b === undefined) invalid(r, 'truncated');
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      if (b === 0 && i > 0) invalid(r, 'varint not in shortest form');
      if (value > Number.MAX_SAFE_INTEGER) invalid(r, 'counter above 2^53 - 1');
      return value;
    }
    scale *= 128;
  }
  return invalid(r, 'varint longer than 8 bytes');
}

function writeVarint(out: number[], value: number): void {
  let v = value;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
}

function writeId(out: number[], id: string): void {
  if (!ID.test(id)) throw new DynamisError('INVALID_ARGUMENT', `Not a node id: ${JSON.stringify(id)}`);
  out.push(id.length);
  for (let i = 0; i < id.length; i++) out.push(id.charCodeAt(i));
}

function writeEntries(out: number[], vv: VersionVector): void {
  for (const [id, counter] of vv) {
    writeId(out, id);
    writeVarint(out, counter);
  }
}
