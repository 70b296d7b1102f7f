import { checkpoint, YIELD_EVERY_ENTRIES, type CompactionContext } from '../compaction/runCompaction';
import { TableOutputs } from '../compaction/TableOutputs';
import type { Memtable } from '../memtable/Memtable';
import { ByteBuffer } from '../util/ByteBuffer';
import { compareRange } from '../util/internalKey';
import { RangeDelSet } from '../rangedel/RangeTombstone';
import { withRangeDelSeq, type FileMeta } from '../version/FileMeta';

/** What a flush needs: a CompactionContext without tables or filter. */
export type FlushContext = Pick<CompactionContext, 'fs' | 'dir' | 'builderOptions' | 'newFileNumber' | 'shouldStop'>;

/**
 * Writes the newest entry of every user key of a frozen memtable (deletion
 * markers included: they hide older data below) to one new table, durable
 * (with its name: the directory is fsynced) when it resolves, leaving out
 * entries the memtable's own range tombstones delete (the tombstones
 * themselves go to the manifest with the table: see Background): the
 * table's rangeDelSeq is the memtable's largest seq. Undefined when no
 * entry is left. Yields to the event loop every few thousand
 * entries; stops with CompactionAborted (removing the file) when
 * `ctx.shouldStop()`, and removes the file on any failure.
 */
export async function flushMemtable(mem: Memtable, ctx: FlushContext): Promise<FileMeta | undefined> {
  if (mem.count === 0) return undefined;
  const rangeDels = new RangeDelSet([mem.rangeDels]);
  const out = new TableOutputs(ctx.fs, ctx.dir, () => ctx.newFileNumber(), ctx.builderOptions, Infinity);
  const it = mem.iterator();
  const last = new ByteBuffer(64);
  let n = 0;
  try {
    for (it.seekToFirst(); it.valid; it.next()) {
      if (++n % YIELD_EVERY_ENTRIES === 0) await checkpoint(ctx);
      const key = it.key;
      if (n > 1 && compareRange(key, 0, key.length, last.buf, 0, last.length) === 0) continue;
      last.reset();
      last.putBytes(key);
      if (!rangeDels.empty && rangeDels.covers(key, it.seq)) continue;
      out.add(key, it.seq, it.kind, it.value);
    }
    const [meta] = await out.finish();
    return meta === undefined ? undefined : withRangeDelSeq(meta, mem.maxSeq!);
  } catch (err) {
    await out.abandon();
    throw err;
  }
}
