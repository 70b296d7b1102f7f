// @dynamis/engine-lsm: a durable LSM-tree StorageEngine (WAL, memtable,
// SSTables with Bloom filters, leveled or tiered compaction, crash-safe
// manifest). See README.md and docs/format.md.
export { LsmStorageEngine } from './db/LsmStorageEngine';
export { lsmEngine } from './plugin';
export {
  lsmOptionsSchema,
  parseLsmOptions,
  type LsmOptions,
  type ResolvedLsmOptions,
  type CompactionOptions,
  type ScrubOptions,
} from './options';
export type { CompactionStrategy, CompactionJob, CompactionInput, CompactionState } from './compaction/CompactionStrategy';
export { LeveledStrategy } from './compaction/LeveledStrategy';
export { TieredStrategy } from './compaction/TieredStrategy';
export type { ScrubFinding, ScrubPassOptions, ScrubReport } from './db/Scrubber';
