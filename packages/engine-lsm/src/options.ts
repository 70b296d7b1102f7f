import { parseWithSchema } from '@dynamis/core';
import { z } from 'zod';

const MiB = 1024 * 1024;

const int = (min: number, max = Number.MAX_SAFE_INTEGER) => z.number().int().min(min).max(max);

const tieredSchema = z
  .object({
    minMergeWidth: int(2, 1000).default(2).describe('Fewest sorted runs merged by one size-ratio compaction.'),
    maxMergeWidth: int(2, 1000).default(32).describe('Most sorted runs merged by one size-ratio compaction.'),
    sizeRatioPercent: int(0, 10_000)
      .default(1)
      .describe('A run joins a merge when its size is at most (100 + this)% of the runs picked before it.'),
    maxSpaceAmplificationPercent: int(1, 1_000_000)
      .default(200)
      .describe('Merge every run into one when (bytes of all runs but the oldest) / (bytes of the oldest) exceeds this %.'),
  })
  .prefault({})
  .refine((t) => t.minMergeWidth <= t.maxMergeWidth, { message: 'minMergeWidth must not exceed maxMergeWidth' })
  .describe('Knobs of the tiered (universal) strategy.');

const compactionSchema = z
  .object({
    strategy: z
      .enum(['leveled', 'tiered'])
      .default('leveled')
      .describe('Compaction strategy: leveled (less space, more writes) or tiered.'),
    l0CompactionTrigger: int(1, 10_000).default(4).describe('L0 files (tiered: sorted runs) that start a compaction.'),
    l0SlowdownTrigger: int(1, 10_000).default(8).describe('L0 files at which every write is delayed by ~1 ms.'),
    l0StopTrigger: int(1, 10_000).default(12).describe('L0 files at which writes wait until a compaction frees room.'),
    levelSizeRatio: int(2, 1000).default(10).describe('Leveled: target bytes of level n+1 = this × target of level n.'),
    baseLevelBytes: int(1024)
      .default(10 * MiB)
      .describe('Leveled: target bytes of level 1.'),
    maxLevels: int(2, 20).default(7).describe('Number of levels, L0 included.'),
    targetFileBytes: int(1024)
      .default(2 * MiB)
      .describe('Compaction output files are cut at about this size.'),
    tiered: tieredSchema,
    purgeReportBytes: int(0, 1024 * MiB)
      .default(MiB)
      .describe(
        'Most bytes of purge records (key + note + ~96 bytes each) one compaction holds for the purge listener; purges past it are reported as one unlisted key range.',
      ),
    backgroundThread: z
      .boolean()
      .default(true)
      .describe(
        'Run compaction merges on a worker thread when the engine uses the real file system (NodeFileSystem); other file systems (in-memory, fault-injecting) always run them inline.',
      ),
  })
  .prefault({})
  .refine((c) => c.l0CompactionTrigger <= c.l0StopTrigger && c.l0SlowdownTrigger <= c.l0StopTrigger, {
    message: 'need l0CompactionTrigger <= l0StopTrigger and l0SlowdownTrigger <= l0StopTrigger (else writes could wait forever)',
  })
  .describe('Compaction strategy and its knobs.');

const scrubSchema = z
  .object({
    intervalMs: int(0, 365 * 24 * 3_600_000)
      .default(24 * 3_600_000)
      .describe(
        'Background scrub: a pass verifying every block checksum of every live table starts this long after the previous one ended (or after the one recorded before a restart). 0: no background scrub (scrub() still works).',
      ),
    bytesPerSec: int(4096, 1024 * 1024 * MiB)
      .default(8 * MiB)
      .describe('Most bytes of table files the scrub reads per second (it sleeps on the Clock to stay under it).'),
  })
  .strict()
  .prefault({})
  .describe('Background scrub of table checksums (README, "Scrub").');

/**
 * The options of LsmStorageEngine / lsmEngine(), as a zod schema: every
 * option has a default and a description (see the package README).
 */
export const lsmOptionsSchema = z
  .object({
    dir: z.string().min(1).optional().describe('Directory of the database (plugin default: `${config.dataDir}/engine`).'),
    memtableBytes: int(4096, 1024 * MiB)
      .default(4 * MiB)
      .describe('Memtable size that triggers a freeze and a background flush.'),
    maxImmutableMemtables: int(1, 64).default(2).describe('Frozen memtables waiting for flush before writes stall.'),
    blockBytes: int(256, 16 * MiB)
      .default(4096)
      .describe('Target size of an SSTable data block (uncompressed).'),
    bloomBitsPerKey: int(0, 100).default(10).describe('Bloom filter bits per key (0: no filter).'),
    blockCacheBytes: int(0)
      .default(8 * MiB)
      .describe('Byte budget of the LRU block cache shared by all tables.'),
    residentTableBytes: int(0)
      .default(256 * MiB)
      .describe(
        'Bytes of SSTable files read whole into memory when opened and served from there (as LevelDB mmaps its tables); tables past the budget are read block by block through the block cache. 0: none.',
      ),
    fsync: z
      .enum(['always', 'interval', 'none'])
      .default('interval')
      .describe("When the WAL is fsynced: before each write resolves ('always', group commit), every fsyncIntervalMs, or never."),
    fsyncIntervalMs: int(1, 3_600_000).default(100).describe("Period of WAL fsyncs under fsync 'interval'."),
    walRecovery: z
      .enum(['tolerate-corrupted-tail', 'absolute-consistency', 'point-in-time'])
      .default('tolerate-corrupted-tail')
      .describe('What open() does with a damaged WAL (see the README).'),
    compaction: compactionSchema,
    scrub: scrubSchema,
  })
  .strict();

/** Options as given by a user: every field optional. */
export type LsmOptions = z.input<typeof lsmOptionsSchema>;
/** Options with every default filled in. */
export type ResolvedLsmOptions = z.output<typeof lsmOptionsSchema>;
/** Compaction options with defaults filled in. */
export type CompactionOptions = ResolvedLsmOptions['compaction'];
/** Scrub options with defaults filled in. */
export type ScrubOptions = ResolvedLsmOptions['scrub'];

/** Validates `input` and fills in defaults; throws INVALID_CONFIG listing every bad path. */
export function parseLsmOptions(input: unknown): ResolvedLsmOptions {
  return parseWithSchema(lsmOptionsSchema, input, 'plugin @dynamis/engine-lsm');
}
