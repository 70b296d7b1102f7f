export { swapStrategies, type SwapOptions, type SwapReport } from './swapStrategies';
export { runConflictWorkload, type ConflictRow, type ConflictStrategy, type ConflictWorkload } from './conflicts';
export { runCompactionWorkload, type CompactionRow, type CompactionStrategyName, type CompactionWorkload } from './compaction';
export { conflictTable, compactionTable } from './table';
