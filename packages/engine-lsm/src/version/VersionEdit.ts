import { ByteBuffer } from '../util/ByteBuffer';
import { readVarint, type VarintCursor } from '../util/coding';
import { corruption } from '../util/corruption';
import type { Damage } from '../damage/Damage';
import type { RangeTombstone } from '../rangedel/RangeTombstone';
import { FileMeta } from './FileMeta';

/** Field tags of an encoded edit (docs/format.md, "Manifest"). */
const TAG_LOG_NUMBER = 2;
const TAG_NEXT_FILE = 3;
const TAG_LAST_SEQ = 4;
const TAG_COMPACT_POINTER = 5;
const TAG_DELETED_FILE = 6;
const TAG_NEW_FILE = 7;
/** A range tombstone flushed from a memtable: varint seq | start | end. */
const TAG_RANGE_DEL = 8;
/** A range tombstone dropped (garbage-collected): varint seq. */
const TAG_DROP_RANGE_DEL = 9;
/** TAG_NEW_FILE's fields, then varint rangeDelSeq (written when it differs from maxSeq). */
const TAG_NEW_FILE_RD = 10;
/** A fenced range of a quarantined table: varint file | gte | lte | reason (UTF-8). */
const TAG_DAMAGED = 11;
/** A fence lifted (its range deleted): varint file. */
const TAG_CLEAR_DAMAGED = 12;

/** A file added at a level. */
export interface AddedFile {
  readonly level: number;
  readonly meta: FileMeta;
}

/** A file removed from a level. */
export interface DeletedFile {
  readonly level: number;
  readonly number: number;
}

/**
 * One change to the VersionSet, as appended to the manifest: new and
 * deleted files and, when set, the counters. Plain data; the decoder
 * validates every field.
 */
export class VersionEdit {
  /** WALs numbered below this are no longer needed (their data is in tables). */
  logNumber: number | undefined = undefined;
  nextFileNumber: number | undefined = undefined;
  lastSequence: number | undefined = undefined;
  readonly compactPointers: { level: number; key: Uint8Array }[] = [];
  readonly deleted: DeletedFile[] = [];
  readonly added: AddedFile[] = [];
  /** Range tombstones that join the Version (from a flushed memtable). */
  readonly addedRangeDels: RangeTombstone[] = [];
  /** Sequence numbers of range tombstones that leave the Version. */
  readonly droppedRangeDels: number[] = [];
  /** Fences that join the Version (a table quarantined). */
  readonly addedDamage: Damage[] = [];
  /** Files whose fences leave the Version (their range was deleted). */
  readonly clearedDamage: number[] = [];

  addFile(level: number, meta: FileMeta): void {
    this.added.push({ level, meta });
  }

  deleteFile(level: number, number: number): void {
    this.deleted.push({ level, number });
  }

  /** Appends the encoding of this edit to `out`. */
  encodeTo(out: ByteBuffer): void {
    if (this.logNumber !== undefined) tagged(out, TAG_LOG_NUMBER, this.logNumber);
    if (this.nextFileNumber !== undefined) tagged(out, TAG_NEXT_FILE, this.nextFileNumber);
    if (this.lastSequence !== undefined) tagged(out, TAG_LAST_SEQ, this.lastSequence);
    for (const p of this.compactPointers) {
      tagged(out, TAG_COMPACT_POINTER, p.level);
      putBytes(out, p.key);
    }
    for (const d of this.deleted) {
      tagged(out, TAG_DELETED_FILE, d.level);
      out.putVarint(d.number);
    }
    for (const { level, meta: m } of this.added) {
      const rd = m.rangeDelSeq !== m.maxSeq;
      tagged(out, rd ? TAG_NEW_FILE_RD : TAG_NEW_FILE, level);
      for (const v of [m.number, m.size, m.entries, m.deletions, m.rawBytes, m.minSeq, m.maxSeq]) out.putVarint(v);
      putBytes(out, m.smallest);
      putBytes(out, m.largest);
      if (rd) out.putVarint(m.rangeDelSeq);
    }
    for (const t of this.addedRangeDels) {
      tagged(out, TAG_RANGE_DEL, t.seq);
      putBytes(out, t.start);
      putBytes(out, t.end);
    }
    for (const seq of this.droppedRangeDels) tagged(out, TAG_DROP_RANGE_DEL, seq);
    for (const d of this.addedDamage) {
      tagged(out, TAG_DAMAGED, d.file);
      putBytes(out, d.gte);
      putBytes(out, d.lte);
      putBytes(out, Buffer.from(d.reason, 'utf8'));
    }
    for (const file of this.clearedDamage) tagged(out, TAG_CLEAR_DAMAGED, file);
  }

  /** The encoding as a new array. */
  encode(): Uint8Array {
    const out = new ByteBuffer(256);
    this.encodeTo(out);
    return out.buf.slice(0, out.length);
  }

  /**
   * Decodes an edit; `maxLevels` bounds level numbers. Throws CORRUPTION
   * naming `file` and `offset` (the record's offset) when malformed.
   */
  static decode(data: Uint8Array, maxLevels: number, file: string, offset: number): VersionEdit {
    return new EditDecoder(data, maxLevels, file, offset).decode();
  }
}

function tagged(out: ByteBuffer, tag: number, v: number): void {
  out.putVarint(tag);
  out.putVarint(v);
}

function putBytes(out: ByteBuffer, b: Uint8Array): void {
  out.putVarint(b.length);
  out.putBytes(b);
}

class EditDecoder {
  private readonly cur: VarintCursor = { pos: 0 };

  constructor(
    private readonly data: Uint8Array,
    private readonly maxLevels: number,
    private readonly file: string,
    private readonly offset: number,
  ) {}

  decode(): VersionEdit {
    const edit = new VersionEdit();
    while (this.cur.pos < this.data.length) {
      const tag = this.num();
      switch (tag) {
        case TAG_LOG_NUMBER:
          edit.logNumber = this.num();
          break;
        case TAG_NEXT_FILE:
          edit.nextFileNumber = this.num();
          break;
        case TAG_LAST_SEQ:
          edit.lastSequence = this.num();
          break;
        case TAG_COMPACT_POINTER:
          edit.compactPointers.push({ level: this.level(), key: this.bytes() });
          break;
        case TAG_DELETED_FILE:
          edit.deleteFile(this.level(), this.num());
          break;
        case TAG_NEW_FILE:
          edit.addFile(this.level(), this.fileMeta(false));
          break;
        case TAG_NEW_FILE_RD:
          edit.addFile(this.level(), this.fileMeta(true));
          break;
        case TAG_RANGE_DEL: {
          const seq = this.num();
          const start = this.bytes();
          const end = this.bytes();
          if (Buffer.compare(start, end) >= 0) this.bad('empty range tombstone');
          edit.addedRangeDels.push({ start, end, seq });
          break;
        }
        case TAG_DROP_RANGE_DEL:
          edit.droppedRangeDels.push(this.num());
          break;
        case TAG_DAMAGED: {
          const file = this.num();
          const gte = this.bytes();
          const lte = this.bytes();
          if (Buffer.compare(gte, lte) > 0) this.bad('inverted damaged range');
          edit.addedDamage.push({ file, gte, lte, reason: Buffer.from(this.bytes()).toString('utf8') });
          break;
        }
        case TAG_CLEAR_DAMAGED:
          edit.clearedDamage.push(this.num());
          break;
        default:
          return this.bad(`unknown version edit tag ${tag}`);
      }
    }
    return edit;
  }

  private fileMeta(withRangeDelSeq: boolean): FileMeta {
    const [number, size, entries, deletions, rawBytes, minSeq, maxSeq] = [0, 0, 0, 0, 0, 0, 0].map(() => this.num()) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    const smallest = this.bytes();
    const largest = this.bytes();
    const rangeDelSeq = withRangeDelSeq ? this.num() : maxSeq;
    if (deletions > entries || minSeq > maxSeq || Buffer.compare(smallest, largest) > 0 || rangeDelSeq < maxSeq) {
      this.bad('inconsistent file metadata');
    }
    return new FileMeta(number, size, entries, deletions, rawBytes, minSeq, maxSeq, smallest, largest, rangeDelSeq);
  }

  private level(): number {
    const level = this.num();
    return level < this.maxLevels ? level : this.bad(`level ${level} out of range (database has ${this.maxLevels} levels)`);
  }

  private num(): number {
    const v = readVarint(this.data, this.cur.pos, this.data.length, this.cur);
    return v < 0 ? this.bad('malformed varint') : v;
  }

  private bytes(): Uint8Array {
    const len = this.num();
    const start = this.cur.pos;
    if (start + len > this.data.length) this.bad('truncated key');
    this.cur.pos = start + len;
    return this.data.slice(start, start + len);
  }

  private bad(message: string): never {
    throw corruption(`bad manifest record: ${message}`, this.file, this.offset);
  }
}
