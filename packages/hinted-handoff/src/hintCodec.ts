import { decodeRecord, DynamisError, encodeRecord, fromUtf8, KeySpace, type NodeId, type Sibling } from '@dynamis/core';

/**
 * The hint formats (docs/format.md, "Hints"). Engine key of a hint:
 *
 *   0x68 | u8 targetLength (1–255) | target (UTF-8) | u64 BE sequence
 *
 * so one target's hints are one contiguous range in sequence order. The
 * sequence high-water mark lives at `0x68 0x00` (u64 BE): no target has
 * length 0, so it sorts before every hint. A hint's value:
 *
 *   u8 format (=1) | f64 LE createdAt | u32 LE keyLength | key (UTF-8) | replica record
 *
 * where the replica record is core's encodeRecord of the siblings.
 */
export const HINT_FORMAT = 1;
const SEQ_BYTES = 8;

/** Engine key of the sequence high-water mark. */
export const HINT_SEQUENCE_KEY = Uint8Array.of(KeySpace.hints, 0);

/** What a hint's value holds. */
export interface HintValue {
  readonly createdAt: number;
  readonly key: string;
  readonly siblings: Sibling[];
}

/** The key prefix of `target`'s hints. Throws INVALID_ARGUMENT for a target of 0 or more than 255 UTF-8 bytes. */
export function targetPrefix(target: NodeId): Buffer {
  const length = Buffer.byteLength(target, 'utf8');
  if (length === 0 || length > 255) throw new DynamisError('INVALID_ARGUMENT', `hint target must be 1–255 UTF-8 bytes, got ${length}`);
  const out = Buffer.allocUnsafe(2 + length);
  out[0] = KeySpace.hints;
  out[1] = length;
  out.write(target, 2, 'utf8');
  return out;
}

/** Engine key of hint `seq` (a safe integer >= 0) for `target`. */
export function hintKey(target: NodeId, seq: number): Uint8Array {
  const prefix = targetPrefix(target);
  const out = Buffer.allocUnsafe(prefix.length + SEQ_BYTES);
  prefix.copy(out, 0);
  out.writeBigUInt64BE(BigInt(seq), prefix.length);
  return out;
}

/** [gte, lt) bounds covering every hint of `target`. */
export function targetRange(target: NodeId): { gte: Uint8Array; lt: Uint8Array } {
  const prefix = targetPrefix(target);
  const lt = Buffer.alloc(prefix.length + SEQ_BYTES + 1, 0xff);
  prefix.copy(lt, 0);
  return { gte: prefix, lt };
}

/** [gte, lt) bounds covering every hint of every target (not the high-water mark). */
export function allHintsRange(): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: Uint8Array.of(KeySpace.hints, 1), lt: Uint8Array.of(KeySpace.hints + 1) };
}

/** Target and sequence of a hint's engine key; CORRUPTION if it is not one. */
export function decodeHintKey(key: Uint8Array): { target: NodeId; seq: number } {
  const length = key[1] ?? 0;
  if (key[0] !== KeySpace.hints || length === 0 || key.length !== 2 + length + SEQ_BYTES) corrupt('hint key', 'bad length');
  const buf = Buffer.from(key.buffer, key.byteOffset, key.byteLength);
  const seq = buf.readBigUInt64BE(2 + length);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) corrupt('hint key', 'sequence beyond 2^53');
  return { target: fromUtf8(key.subarray(2, 2 + length)), seq: Number(seq) };
}

export function encodeSequence(seq: number): Uint8Array {
  const out = Buffer.allocUnsafe(SEQ_BYTES);
  out.writeBigUInt64BE(BigInt(seq), 0);
  return out;
}

export function decodeSequence(bytes: Uint8Array): number {
  if (bytes.length !== SEQ_BYTES) corrupt('hint sequence', `${bytes.length} bytes`);
  const seq = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).readBigUInt64BE(0);
  if (seq > BigInt(Number.MAX_SAFE_INTEGER)) corrupt('hint sequence', 'beyond 2^53');
  return Number(seq);
}

export function encodeHintValue(createdAt: number, key: string, siblings: readonly Sibling[]): Uint8Array {
  const record = encodeRecord(siblings);
  const keyLength = Buffer.byteLength(key, 'utf8');
  const out = Buffer.allocUnsafe(1 + 8 + 4 + keyLength + record.length);
  out[0] = HINT_FORMAT;
  out.writeDoubleLE(createdAt, 1);
  out.writeUInt32LE(keyLength, 9);
  out.write(key, 13, 'utf8');
  out.set(record, 13 + keyLength);
  return out;
}

/** createdAt of a hint value, without decoding the rest; CORRUPTION if malformed. */
export function hintCreatedAt(value: Uint8Array): number {
  if (value.length < 13 || value[0] !== HINT_FORMAT) corrupt('hint', `unknown format ${value[0] ?? 'none'}`);
  const createdAt = Buffer.from(value.buffer, value.byteOffset, value.byteLength).readDoubleLE(1);
  if (!Number.isFinite(createdAt)) corrupt('hint', 'createdAt is not finite');
  return createdAt;
}

/** Decodes a hint value; CORRUPTION on any malformation. */
export function decodeHintValue(value: Uint8Array): HintValue {
  const createdAt = hintCreatedAt(value);
  const buf = Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const keyLength = buf.readUInt32LE(9);
  if (13 + keyLength > buf.length) corrupt('hint', 'key runs past the end');
  let key: string;
  try {
    key = fromUtf8(value.subarray(13, 13 + keyLength));
  } catch {
    corrupt('hint', 'key is not UTF-8');
  }
  return { createdAt, key, siblings: decodeRecord(value.subarray(13 + keyLength), 'hint record') };
}

function corrupt(where: string, why: string): never {
  throw new DynamisError('CORRUPTION', `Corrupt ${where}: ${why}`, { details: { where } });
}
