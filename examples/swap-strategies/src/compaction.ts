import { ConsoleLogger, SystemClock } from '@dynamis/core';
import { LsmStorageEngine } from '@dynamis/engine-lsm';
import { MemoryFileSystem, SeededRandom } from '@dynamis/testkit';

/** The LSM engine's compaction strategy. */
export type CompactionStrategyName = 'leveled' | 'tiered';

export interface CompactionWorkload {
  readonly seed: number;
  /** Puts, over `keys` distinct keys (so most are overwrites), in a seeded order. */
  readonly ops: number;
  readonly keys: number;
  readonly valueBytes: number;
}

export interface CompactionRow {
  readonly strategy: CompactionStrategyName;
  readonly ops: number;
  readonly userBytes: number;
  /** (WAL + flush + compaction bytes written) / user bytes: the engine's `writeAmplification` counter. */
  readonly writeAmplification: number;
  /** Table bytes / live bytes: the engine's `spaceAmplification` counter. */
  readonly spaceAmplification: number;
  readonly compactions: number;
}

/**
 * Runs `ops` puts on one LSM engine (engine-lsm over an in-memory file
 * system, a small 8 KiB memtable so the workload flushes and compacts often)
 * with `strategy`, and reads its amplification counters once the last write
 * has resolved. The puts are deterministic for a seed; when background
 * compactions run relative to them depends on the event loop, so the
 * figures may differ slightly from run to run (their direction does not).
 */
export async function runCompactionWorkload(strategy: CompactionStrategyName, w: CompactionWorkload): Promise<CompactionRow> {
  const engine = new LsmStorageEngine(
    new MemoryFileSystem(),
    '/db',
    { memtableBytes: 8192, fsync: 'none', compaction: { strategy, targetFileBytes: 8192, baseLevelBytes: 32 * 1024 } },
    new SystemClock(),
    new ConsoleLogger('silent'),
  );
  await engine.open();
  const random = new SeededRandom(w.seed).fork('compaction');
  const value = new Uint8Array(w.valueBytes);
  for (let i = 0; i < w.ops; i++) {
    value.fill(i & 0xff);
    await engine.put(Buffer.from(`key${String(random.int(w.keys)).padStart(6, '0')}`), value);
  }
  const c = engine.stats().counters;
  await engine.close();
  return {
    strategy,
    ops: w.ops,
    userBytes: c['userBytesWritten'] ?? 0,
    writeAmplification: c['writeAmplification'] ?? 0,
    spaceAmplification: c['spaceAmplification'] ?? 0,
    compactions: c['compactions'] ?? 0,
  };
}
