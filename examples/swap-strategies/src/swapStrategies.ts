import { runCompactionWorkload, type CompactionRow } from './compaction';
import { runConflictWorkload, type ConflictRow } from './conflicts';
import { compactionTable, conflictTable } from './table';

export interface SwapOptions {
  readonly seed: number;
  /** Operations per run (each strategy runs the same ones): conflict rounds are ops / 5, compaction puts are ops. */
  readonly ops: number;
}

export interface SwapReport {
  readonly conflicts: readonly ConflictRow[];
  readonly compaction: readonly CompactionRow[];
  /** Both comparisons as Markdown tables, with a heading each. */
  readonly text: string;
}

/**
 * One workload under two strategy sets: conflict resolution (LWW, then
 * vector clocks) on a simulated 3-node cluster, and compaction (leveled,
 * then tiered) on the LSM engine. Only the strategy differs between the two
 * runs of each pair: same seed, same operations.
 */
export async function swapStrategies(o: SwapOptions): Promise<SwapReport> {
  const rounds = Math.max(1, Math.floor(o.ops / 5));
  const conflicts: ConflictRow[] = [];
  for (const strategy of ['lww', 'vclock'] as const)
    conflicts.push(await runConflictWorkload(strategy, { seed: o.seed, rounds, keys: 16 }));
  const compaction: CompactionRow[] = [];
  for (const strategy of ['leveled', 'tiered'] as const) {
    compaction.push(await runCompactionWorkload(strategy, { seed: o.seed, ops: o.ops, keys: 1_000_000, valueBytes: 1000 }));
  }
  const text = [
    `Conflict resolution: ${rounds} rounds of two concurrent writers (seed ${o.seed})`,
    '',
    conflictTable(conflicts),
    '',
    `Compaction: ${o.ops} puts of 1 KB values over a million possible keys (seed ${o.seed})`,
    '',
    compactionTable(compaction),
  ].join('\n');
  return { conflicts, compaction, text };
}
