import type { CompactionOptions } from '../options';
import type { FileMeta } from '../version/FileMeta';
import type { Version } from '../version/Version';
import type { CompactionInput, CompactionJob, CompactionStrategy } from './CompactionStrategy';

/** A sorted run: one L0 file, or a whole sorted level. Newest runs first. */
export interface SortedRun {
  readonly level: number;
  readonly files: readonly FileMeta[];
  readonly bytes: number;
}

/** The sorted runs of a version, newest first: each L0 file, then each non-empty level. */
export function sortedRuns(version: Version): SortedRun[] {
  const runs: SortedRun[] = version.files(0).map((f) => ({ level: 0, files: [f], bytes: f.size }));
  for (let level = 1; level < version.levelCount; level++) {
    const files = version.files(level);
    if (files.length > 0) runs.push({ level, files, bytes: version.levelBytes(level) });
  }
  return runs;
}

/**
 * Tiered ("universal", after RocksDB) compaction over sorted runs. Nothing
 * happens until there are `l0CompactionTrigger` runs. Then, in order:
 * 1. space amplification: when the bytes of all runs but the oldest exceed
 *    maxSpaceAmplificationPercent of the oldest, every run is merged into
 *    the last level;
 * 2. size ratio: the first window of adjacent runs (newest first) where
 *    each next run is at most (100 + sizeRatioPercent)% of the bytes picked
 *    so far, between minMergeWidth and maxMergeWidth runs wide;
 * 3. else the newest runs, enough to bring the count under the trigger.
 * The output goes just above the next older run left out (to level 0 when
 * that run is an L0 file), or to the last level when none is left out.
 *
 * Trade-off: each byte is rewritten few times (low write amplification),
 * for more space amplification (up to the configured bound, and 2× during
 * a full merge) and more runs probed per read.
 */
export class TieredStrategy implements CompactionStrategy {
  readonly name = 'tiered';

  constructor(private readonly options: CompactionOptions) {}

  pick(version: Version): CompactionJob | undefined {
    const runs = sortedRuns(version);
    if (runs.length < Math.max(2, this.options.l0CompactionTrigger)) return undefined;
    if (this.spaceAmplificationPercent(runs) > this.options.tiered.maxSpaceAmplificationPercent) {
      return this.job('space-amp', runs, 0, runs.length, version.levelCount);
    }
    const window = this.sizeRatioWindow(runs);
    if (window !== undefined) return this.job('size-ratio', runs, window.start, window.end, version.levelCount);
    const { minMergeWidth, maxMergeWidth } = this.options.tiered;
    const width = Math.min(maxMergeWidth, Math.max(minMergeWidth, runs.length - this.options.l0CompactionTrigger + 1));
    return this.job('run-count', runs, 0, Math.min(width, runs.length), version.levelCount);
  }

  /** (bytes of all runs but the oldest) / (bytes of the oldest), in percent. */
  spaceAmplificationPercent(runs: readonly SortedRun[]): number {
    const oldest = runs[runs.length - 1];
    if (oldest === undefined || runs.length < 2) return 0;
    let newer = 0;
    for (let i = 0; i < runs.length - 1; i++) newer += runs[i]!.bytes;
    return (newer * 100) / Math.max(1, oldest.bytes);
  }

  private sizeRatioWindow(runs: readonly SortedRun[]): { start: number; end: number } | undefined {
    const { minMergeWidth, maxMergeWidth, sizeRatioPercent } = this.options.tiered;
    for (let start = 0; start + minMergeWidth <= runs.length; start++) {
      let picked = runs[start]!.bytes;
      let end = start + 1;
      while (end < runs.length && end - start < maxMergeWidth) {
        const next = runs[end]!.bytes;
        if (next * 100 > picked * (100 + sizeRatioPercent)) break;
        picked += next;
        end++;
      }
      if (end - start >= minMergeWidth) return { start, end };
    }
    return undefined;
  }

  /** A job merging runs[start, end). */
  private job(reason: string, runs: readonly SortedRun[], start: number, end: number, levelCount: number): CompactionJob {
    const next = runs[end];
    const outputLevel = next === undefined ? levelCount - 1 : next.level === 0 ? 0 : next.level - 1;
    const inputs: CompactionInput[] = [];
    const l0: FileMeta[] = [];
    for (let i = start; i < end; i++) {
      const run = runs[i]!;
      if (run.level === 0) l0.push(run.files[0]!);
      else inputs.push({ level: run.level, files: run.files });
    }
    if (l0.length > 0) inputs.unshift({ level: 0, files: l0 });
    const target = outputLevel > 0 ? runs.find((r) => r.level === outputLevel) : undefined;
    if (target !== undefined && !inputs.some((input) => input.level === outputLevel)) {
      inputs.push({ level: outputLevel, files: target.files });
    }
    return { reason, inputs, outputLevel, splitOutput: outputLevel > 0 };
  }
}
