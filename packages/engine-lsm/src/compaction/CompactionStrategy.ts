import type { FileMeta } from '../version/FileMeta';
import type { Version } from '../version/Version';

/** The input files of one level of a compaction. */
export interface CompactionInput {
  readonly level: number;
  /** In the level's order (L0: newest first; sorted levels: by key). */
  readonly files: readonly FileMeta[];
}

/**
 * One compaction: merge `inputs` into new files at `outputLevel`.
 *
 * Contract for a strategy (the runner relies on it): for every key in an
 * input, every file holding that key in a level between the shallowest
 * input level and `outputLevel` (inclusive) is an input too, and for an
 * output at level 0 the inputs are L0 files adjacent in L0 order. Then the
 * output can replace the inputs without reordering data by age.
 */
export interface CompactionJob {
  /** Why it was picked, for logs and stats ('l0', 'size', 'space-amp', 'size-ratio', 'run-count', 'manual'). */
  readonly reason: string;
  readonly inputs: readonly CompactionInput[];
  readonly outputLevel: number;
  /**
   * True: cut output files at targetFileBytes (sorted levels). False: write
   * one file (level-0 outputs must stay one file to keep L0 ordered by age).
   */
  readonly splitOutput: boolean;
  /** Leveled round-robin: where the next pick at `level` starts (key just after `key`). */
  readonly compactPointer?: { readonly level: number; readonly key: Uint8Array };
  /**
   * True when a single input file can simply change level (no overlap
   * below, no rewrite). The runner then writes only a manifest edit (the
   * compaction filter runs when the data is next rewritten).
   */
  readonly trivialMove?: boolean;
}

/** What a strategy may look at besides the version. */
export interface CompactionState {
  /** Leveled round-robin pointers, by level (undefined: start from the first file). */
  readonly compactPointers: readonly (Uint8Array | undefined)[];
}

/**
 * A compaction policy: which files to merge next. Pure: `pick` reads the
 * version and state and returns a job, or undefined when nothing needs
 * compacting. The engine runs one job at a time, in the background.
 */
export interface CompactionStrategy {
  /** 'leveled' or 'tiered'. */
  readonly name: string;
  pick(version: Version, state: CompactionState): CompactionJob | undefined;
}

/** Every input file of a job. */
export function jobFiles(job: CompactionJob): FileMeta[] {
  const out: FileMeta[] = [];
  for (const input of job.inputs) out.push(...input.files);
  return out;
}

/** The smallest and largest user keys over `files` (which must be non-empty). */
export function keyRange(files: readonly FileMeta[]): { smallest: Uint8Array; largest: Uint8Array } {
  let smallest = files[0]!.smallest;
  let largest = files[0]!.largest;
  for (const f of files) {
    if (Buffer.compare(f.smallest, smallest) < 0) smallest = f.smallest;
    if (Buffer.compare(f.largest, largest) > 0) largest = f.largest;
  }
  return { smallest, largest };
}
