import type { ByteBuffer } from '../util/ByteBuffer';
import { readVarint } from '../util/coding';
import type { VarintCursor } from '../util/coding';
import { corruption } from '../util/corruption';
import type { EntryKind, InternalKey } from '../util/internalKey';

/** What a table holds, recorded in its properties block. */
export interface TableProperties {
  /** Entries (values and deletions). */
  readonly entryCount: number;
  /** Deletion markers among them. */
  readonly deletionCount: number;
  readonly dataBlockCount: number;
  /** Sum of user-key lengths of all entries. */
  readonly rawKeyBytes: number;
  /** Sum of value lengths of all entries. */
  readonly rawValueBytes: number;
  /** Smallest and largest sequence number present. */
  readonly minSeq: number;
  readonly maxSeq: number;
  /** First and last entry in internal order (keys owned by the holder). */
  readonly smallest: InternalKey;
  readonly largest: InternalKey;
  /** Bytes of the whole table file. */
  readonly fileSize: number;
}

/** Appends the properties block contents (all but fileSize) to `out`. */
export function encodeProperties(out: ByteBuffer, p: Omit<TableProperties, 'fileSize'>): void {
  out.putVarint(p.entryCount);
  out.putVarint(p.deletionCount);
  out.putVarint(p.dataBlockCount);
  out.putVarint(p.rawKeyBytes);
  out.putVarint(p.rawValueBytes);
  out.putVarint(p.minSeq);
  out.putVarint(p.maxSeq);
  for (const k of [p.smallest, p.largest]) {
    out.putVarint(k.key.length);
    out.putBytes(k.key);
    out.putVarint(k.seq);
    out.putByte(k.kind);
  }
}

/**
 * Decodes a properties block (trailing bytes, written by later format
 * revisions, are ignored). Throws CORRUPTION naming `file` and `offset`
 * (the block's offset) when malformed.
 */
export function decodeProperties(data: Uint8Array, file: string, offset: number, fileSize: number): TableProperties {
  const cur: VarintCursor = { pos: 0 };
  const bad = (): never => {
    throw corruption('malformed properties block', file, offset);
  };
  const num = (): number => {
    const v = readVarint(data, cur.pos, data.length, cur);
    return v < 0 ? bad() : v;
  };
  const ikey = (): InternalKey => {
    const len = num();
    if (cur.pos + len > data.length) bad();
    const key = data.slice(cur.pos, cur.pos + len);
    cur.pos += len;
    const seq = num();
    if (cur.pos >= data.length) bad();
    const kind = data[cur.pos++]!;
    if (kind > 1) bad();
    return { key, seq, kind: kind as EntryKind };
  };
  const entryCount = num();
  const deletionCount = num();
  const dataBlockCount = num();
  const rawKeyBytes = num();
  const rawValueBytes = num();
  const minSeq = num();
  const maxSeq = num();
  const smallest = ikey();
  const largest = ikey();
  if (deletionCount > entryCount || minSeq > maxSeq) bad();
  return {
    entryCount,
    deletionCount,
    dataBlockCount,
    rawKeyBytes,
    rawValueBytes,
    minSeq,
    maxSeq,
    smallest,
    largest,
    fileSize,
  };
}
