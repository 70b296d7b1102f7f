import type { EngineStats } from '@dynamis/core';
import type { FileMeta } from '../version/FileMeta';
import type { Version } from '../version/Version';
import type { Db } from './Db';

/**
 * Estimated live bytes (user key + value bytes) in the tables, after
 * RocksDB's estimate-live-data-size: levels are walked from the last up,
 * and a file counts only when its key range is not already covered by a
 * file counted below it (older copies of the same keys are assumed to be
 * overwritten). Deletion markers count for nothing.
 */
export function estimateLiveBytes(version: Version): { raw: number; fileBytes: number } {
  const counted: FileMeta[] = [];
  let raw = 0;
  let fileBytes = 0;
  for (let level = version.levelCount - 1; level >= 0; level--) {
    for (const f of version.files(level)) {
      const covered = counted.some((c) => Buffer.compare(c.smallest, f.largest) <= 0 && Buffer.compare(f.smallest, c.largest) <= 0);
      if (covered) continue;
      counted.push(f);
      const live = f.entries === 0 ? 0 : (f.entries - f.deletions) / f.entries;
      raw += f.rawBytes * live;
      fileBytes += f.size * live;
    }
  }
  return { raw, fileBytes };
}

/**
 * The engine's statistics (documented in the README, "Stats"): amplification
 * figures, Bloom and cache counters, stalls, per-level files and bytes,
 * flushes, compactions and WAL recovery. Every counter is a finite number.
 */
export function statsOf(db: Db): EngineStats {
  const c = db.counters;
  const version = db.versions.current;
  const live = estimateLiveBytes(version);
  let memBytes = db.mem.mem.approximateBytes;
  for (const slot of db.imm) memBytes += slot.mem.approximateBytes;
  const { counters, sstBytes, sstFiles } = levelCounters(version);
  const blocks = db.tables.blocks;
  const tableBytesWritten = c.flushBytes + c.compactionBytesWritten;
  Object.assign(counters, {
    writeAmplification: ratio(tableBytesWritten + c.walBytes, c.userBytes),
    readAmplification: ratio(c.tablesProbed, c.gets),
    spaceAmplification: ratio(sstBytes, live.fileBytes),
    userBytesWritten: c.userBytes,
    walBytesWritten: c.walBytes,
    walSyncs: c.walSyncs,
    sstBytes,
    sstFiles,
    memtableBytes: memBytes,
    immutableMemtables: db.imm.length,
    gets: c.gets,
    tablesProbed: c.tablesProbed,
    bloomSkips: db.tables.bloomSkips,
    bloomFalsePositives: db.tables.bloomFalsePositives,
    blockCacheHits: blocks.hits,
    blockCacheMisses: blocks.misses,
    blockCacheBytes: blocks.usedBytes,
    residentTables: db.tables.residentTables,
    residentTableBytes: db.tables.residentTableBytes,
    stallCount: c.stallCount,
    stallMs: c.stallMs,
    slowdowns: c.slowdowns,
    flushes: c.flushes,
    flushBytes: c.flushBytes,
    compactions: c.compactions,
    trivialMoves: c.trivialMoves,
    compactionBytesRead: c.compactionBytesRead,
    compactionBytesWritten: c.compactionBytesWritten,
    workerCompactions: c.workerCompactions,
    filterRemoved: c.filterRemoved,
    filterReplaced: c.filterReplaced,
    filterFailures: c.filterFailures,
    recoveredWalBytes: c.recoveredWalBytes,
    recoveredWalRecords: c.recoveredRecords,
    droppedWalBytes: c.droppedWalBytes,
    lastSequence: db.versions.lastSequence,
    rangeDeletions: c.rangeDeletions,
    rangeTombstones: liveRangeTombstones(db),
    rangeTombstonesDropped: c.rangeDelsDropped,
    quarantinedTables: c.quarantinedTables,
    damagedRanges: db.versions.current.damaged.length,
    scrubbedBytes: db.scrubber.scrubbedBytes,
    scrubbedTables: db.scrubber.scrubbedTables,
    scrubPasses: db.scrubber.passes,
    scrubDamagedTables: db.scrubber.damagedTables,
    lastScrubAt: db.scrubber.lastPassAt,
  });
  return { engine: 'lsm', approximateBytes: Math.round(live.raw + memBytes), counters };
}

/** Range tombstones still in force: in the memtables and in the manifest. */
function liveRangeTombstones(db: Db): number {
  let n = db.mem.mem.rangeDels.length + db.versions.current.rangeDels.length;
  for (const slot of db.imm) n += slot.mem.rangeDels.length;
  return n;
}

function ratio(a: number, b: number): number {
  return b > 0 ? a / b : 0;
}

/** `level<N>Files` / `level<N>Bytes` for every level, and the totals. */
function levelCounters(version: Version): { counters: Record<string, number>; sstBytes: number; sstFiles: number } {
  const counters: Record<string, number> = {};
  let sstBytes = 0;
  let sstFiles = 0;
  for (let level = 0; level < version.levelCount; level++) {
    const files = version.files(level);
    const bytes = version.levelBytes(level);
    counters[`level${level}Files`] = files.length;
    counters[`level${level}Bytes`] = bytes;
    sstBytes += bytes;
    sstFiles += files.length;
  }
  return { counters, sstBytes, sstFiles };
}
