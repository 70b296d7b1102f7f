import { Memtable } from '../memtable/Memtable';
import type { RangeTombstone } from '../rangedel/RangeTombstone';
import { OP_RANGE_DELETION } from '../wal/writeBatch';
import { logFileName, parseFileName } from '../version/fileNames';
import type { FileMeta } from '../version/FileMeta';
import type { VersionSet } from '../version/VersionSet';
import type { DbEnv } from './Db';
import type { DbCounters } from './DbCounters';
import { flushMemtable, type FlushContext } from './flushMemtable';
import { readWal, type LogReadResult } from './walFormat';

/**
 * Replays the WALs numbered >= `versions.logNumber`, oldest first, into
 * memtables and writes them out as level-0 tables (a new table whenever the
 * memtable reaches memtableBytes), so the old WALs can go once the manifest
 * lists the tables. Raises `versions.lastSequence` past every replayed
 * write. Damaged records are handled by the recovery mode: dropped bytes
 * are counted and logged; under 'point-in-time' the replay stops at the
 * first damage, later WALs included; under 'absolute-consistency' it throws
 * CORRUPTION (file, offset). Resolves to the new tables, oldest first, and
 * the range tombstones replayed (the caller records both in one edit).
 */
export async function replayWals(
  env: DbEnv,
  versions: VersionSet,
  counters: DbCounters,
): Promise<{ tables: FileMeta[]; rangeDels: RangeTombstone[] }> {
  const { fs, dir, options } = env;
  const numbers: number[] = [];
  for (const name of fs.list(dir)) {
    const p = parseFileName(name);
    if (p?.kind === 'log' && p.number >= versions.logNumber) numbers.push(p.number);
  }
  numbers.sort((a, b) => a - b);
  const out: FileMeta[] = [];
  const rangeDels: RangeTombstone[] = [];
  const ctx: FlushContext = {
    fs,
    dir,
    builderOptions: { blockSize: options.blockBytes, bloomBitsPerKey: options.bloomBitsPerKey },
    newFileNumber: () => versions.newFileNumber(),
    shouldStop: () => false,
  };
  let mem = new Memtable();
  for (const number of numbers) {
    const result = replayOne(env, logFileName(dir, number), mem, versions, counters);
    if (mem.approximateBytes >= options.memtableBytes) {
      const meta = await flushMemtable(mem, ctx);
      if (meta !== undefined) out.push(meta);
      rangeDels.push(...mem.rangeDels);
      mem = new Memtable();
    }
    if (result.stopped) break;
  }
  const meta = await flushMemtable(mem, ctx);
  if (meta !== undefined) out.push(meta);
  rangeDels.push(...mem.rangeDels);
  return { tables: out, rangeDels };
}

/** Replays one WAL into `mem`, counting and logging what it dropped. */
function replayOne(env: DbEnv, path: string, mem: Memtable, versions: VersionSet, counters: DbCounters): LogReadResult {
  const mode = env.options.walRecovery;
  const result = readWal(env.fs, path, mode, (seq, kind, key, value) => {
    if (kind === OP_RANGE_DELETION) mem.addRangeDeletion(seq, key, value);
    else mem.add(seq, kind, key, value);
    if (seq > versions.lastSequence) versions.lastSequence = seq;
  });
  counters.recoveredWalBytes += result.bytesRead;
  counters.recoveredRecords += result.records;
  if (result.droppedBytes > 0) {
    counters.droppedWalBytes += result.droppedBytes;
    env.logger?.warn('engine-lsm WAL recovery dropped damaged bytes', {
      file: path,
      offset: result.droppedAt,
      droppedBytes: result.droppedBytes,
      reason: result.reason,
      mode,
    });
  }
  return result;
}
