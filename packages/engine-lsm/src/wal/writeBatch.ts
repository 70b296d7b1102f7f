import type { BatchOp } from '@dynamis/core';
import { ByteBuffer, writeFixed32, writeFixed64 } from '../util/ByteBuffer';
import { readFixed32, readFixed64, readVarint } from '../util/coding';
import type { VarintCursor } from '../util/coding';
import { corruption, invalidArgument } from '../util/corruption';
import { checkSeq, KIND_DELETION, KIND_VALUE, MAX_SEQ } from '../util/internalKey';
import type { EntryKind } from '../util/internalKey';

/**
 * One atomic write batch as a WAL record payload (docs/format.md, "Write
 * batch"): fixed64 baseSeq | fixed32 count | count ops, each
 * kind (1 byte: 0 deletion, 1 value, 2 range deletion) | varint keyLength |
 * key | (value and range deletion) varint valueLength | value. A range
 * deletion's key is its start and its value its end (exclusive). Op i gets
 * sequence baseSeq + i.
 */
export const WRITE_BATCH_HEADER_BYTES = 12;

/** The op kind of a range deletion in a write batch (never an entry kind in tables). */
export const OP_RANGE_DELETION = 2 as const;

/** An op kind of a write batch: an entry kind, or a range deletion. */
export type WriteOpKind = EntryKind | typeof OP_RANGE_DELETION;

/**
 * What the engine's write path takes: the port's batch ops, plus a range
 * deletion of [key, end) (StorageEngine.deleteRange).
 */
export type WriteOp = BatchOp | { readonly type: 'delRange'; readonly key: Uint8Array; readonly end: Uint8Array };

/** A decoded op; `key`/`value` are views into the payload. */
export interface WriteBatchOp {
  readonly kind: WriteOpKind;
  readonly key: Uint8Array;
  /** Present for values (kind 1) and range deletions (kind 2: the end). */
  readonly value?: Uint8Array;
}

export interface DecodedWriteBatch {
  readonly baseSeq: number;
  readonly ops: WriteBatchOp[];
}

/**
 * Builds batch payloads in one reusable buffer: `reset`, add ops, set the
 * base sequence when the engine assigns it, then `payload()` (a view valid
 * until the next change). `append` merges another encoded batch (group
 * commit: several writers' batches become one WAL record).
 */
export class WriteBatchBuilder {
  private readonly buf = new ByteBuffer(256);
  private n = 0;

  constructor() {
    this.reset();
  }

  /** Empties the batch (keeping capacity); base sequence 0. */
  reset(): void {
    this.buf.reset();
    this.buf.putZeros(WRITE_BATCH_HEADER_BYTES);
    this.n = 0;
  }

  /** Ops in the batch. */
  get count(): number {
    return this.n;
  }

  /** Encoded size in bytes. */
  get byteLength(): number {
    return this.buf.length;
  }

  put(key: Uint8Array, value: Uint8Array): void {
    const b = this.buf;
    b.putByte(KIND_VALUE);
    b.putVarint(key.length);
    b.putBytes(key);
    b.putVarint(value.length);
    b.putBytes(value);
    this.n++;
  }

  delete(key: Uint8Array): void {
    const b = this.buf;
    b.putByte(KIND_DELETION);
    b.putVarint(key.length);
    b.putBytes(key);
    this.n++;
  }

  /** A range deletion of [start, end). */
  deleteRange(start: Uint8Array, end: Uint8Array): void {
    const b = this.buf;
    b.putByte(OP_RANGE_DELETION);
    b.putVarint(start.length);
    b.putBytes(start);
    b.putVarint(end.length);
    b.putBytes(end);
    this.n++;
  }

  /** Adds the write path's ops in order ('put' / 'del' / 'delRange'). */
  addOps(ops: readonly WriteOp[]): void {
    for (const op of ops) {
      if (op.type === 'put') this.put(op.key, op.value);
      else if (op.type === 'del') this.delete(op.key);
      else this.deleteRange(op.key, op.end);
    }
  }

  /** Appends the ops of an encoded batch (its base sequence is ignored). Throws CORRUPTION if malformed. */
  append(payload: Uint8Array): void {
    const count = checkBatch(payload, '<batch>', 0);
    this.buf.putBytes(payload, WRITE_BATCH_HEADER_BYTES, payload.length);
    this.n += count;
  }

  /**
   * Sets the sequence of the first op. Throws INVALID_ARGUMENT unless
   * baseSeq and baseSeq + count - 1 are in [0, 2^53 - 1].
   */
  setBaseSeq(baseSeq: number): void {
    checkSeq(baseSeq);
    if (this.n > 0) checkSeq(baseSeq + this.n - 1);
    writeFixed64(this.buf.buf, 0, baseSeq);
  }

  /** The encoded batch; a view valid until the builder changes. */
  payload(): Uint8Array {
    writeFixed32(this.buf.buf, 8, this.n);
    return this.buf.buf.subarray(0, this.buf.length);
  }
}

/** Encodes ops into a new payload (convenience; the builder avoids the allocation). */
export function encodeWriteBatch(baseSeq: number, ops: readonly WriteBatchOp[]): Uint8Array {
  const b = new WriteBatchBuilder();
  for (const op of ops) {
    if (op.kind === KIND_VALUE) b.put(op.key, op.value ?? new Uint8Array(0));
    else if (op.kind === KIND_DELETION) b.delete(op.key);
    else if (op.kind === OP_RANGE_DELETION) b.deleteRange(op.key, op.value ?? new Uint8Array(0));
    else throw invalidArgument(`bad op kind ${String(op.kind)}`);
  }
  b.setBaseSeq(baseSeq);
  return b.payload().slice();
}

/**
 * Decodes a payload. Throws CORRUPTION (details.file = `file`, details.offset
 * = `offset` + the position of the damage in the payload; pass the WAL path
 * and the record's offset) when it is truncated, has trailing bytes, a bad
 * kind, a count that does not match, or sequences beyond 2^53 - 1.
 */
export function decodeWriteBatch(payload: Uint8Array, file = '<batch>', offset = 0): DecodedWriteBatch {
  const count = checkBatch(payload, file, offset);
  const ops: WriteBatchOp[] = [];
  const cur: VarintCursor = { pos: WRITE_BATCH_HEADER_BYTES };
  for (let i = 0; i < count; i++) {
    const kind = payload[cur.pos++]! as WriteOpKind;
    const klen = readVarint(payload, cur.pos, payload.length, cur);
    const key = payload.subarray(cur.pos, cur.pos + klen);
    cur.pos += klen;
    if (kind === KIND_DELETION) {
      ops.push({ kind, key });
      continue;
    }
    const vlen = readVarint(payload, cur.pos, payload.length, cur);
    ops.push({ kind, key, value: payload.subarray(cur.pos, cur.pos + vlen) });
    cur.pos += vlen;
  }
  return { baseSeq: readFixed64(payload, 0), ops };
}

/** Validates the whole payload; returns the op count. */
function checkBatch(payload: Uint8Array, file: string, offset: number): number {
  const bad = (why: string, at: number): never => {
    throw corruption(`malformed write batch: ${why}`, file, offset + at);
  };
  if (payload.length < WRITE_BATCH_HEADER_BYTES) bad('shorter than its header', 0);
  const baseSeq = readFixed64(payload, 0);
  const count = readFixed32(payload, 8);
  if (baseSeq < 0 || (count > 0 && baseSeq + count - 1 > MAX_SEQ)) bad('sequence number out of range', 0);
  const cur: VarintCursor = { pos: WRITE_BATCH_HEADER_BYTES };
  const end = payload.length;
  for (let i = 0; i < count; i++) {
    const at = cur.pos;
    if (at >= end) bad(`${count} ops announced, ${i} present`, at);
    const kind = payload[cur.pos++]!;
    if (kind !== KIND_DELETION && kind !== KIND_VALUE && kind !== OP_RANGE_DELETION) bad(`bad op kind ${kind}`, at);
    const klen = readVarint(payload, cur.pos, end, cur);
    if (klen < 0 || cur.pos + klen > end) bad('truncated key', at);
    cur.pos += klen;
    if (kind === KIND_DELETION) continue;
    const vlen = readVarint(payload, cur.pos, end, cur);
    if (vlen < 0 || cur.pos + vlen > end) bad('truncated value', at);
    cur.pos += vlen;
  }
  if (cur.pos !== end) bad('trailing bytes after the last op', cur.pos);
  return count;
}
