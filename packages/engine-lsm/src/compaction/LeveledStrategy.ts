import type { CompactionOptions } from '../options';
import type { FileMeta } from '../version/FileMeta';
import type { Version } from '../version/Version';
import { keyRange, type CompactionJob, type CompactionState, type CompactionStrategy } from './CompactionStrategy';

/**
 * LevelDB-style leveled compaction. Level 0 is compacted (all its files,
 * with the overlapping files of level 1) once it holds
 * `l0CompactionTrigger` files; level n >= 1 once its bytes exceed its
 * target: baseLevelBytes for level 1, × levelSizeRatio per level below.
 * The level with the highest score (files / trigger, bytes / target) goes
 * first. From a sorted level one file is picked round-robin by key (the
 * compact pointer) and merged with the overlapping files of the next level.
 * A file with nothing to merge below is moved down without a rewrite.
 *
 * Trade-off: each byte is rewritten about levelSizeRatio times per level
 * (higher write amplification) for little space amplification (~1.1×) and
 * at most one file probed per level on reads.
 */
export class LeveledStrategy implements CompactionStrategy {
  readonly name = 'leveled';

  constructor(private readonly options: CompactionOptions) {}

  /** Target bytes of sorted level `level` (>= 1). */
  targetBytes(level: number): number {
    return this.options.baseLevelBytes * Math.pow(this.options.levelSizeRatio, level - 1);
  }

  /** Compaction urgency of `level`: >= 1 means it needs compacting. The last level scores 0. */
  score(version: Version, level: number): number {
    if (level >= version.levelCount - 1) return 0;
    if (level === 0) return version.files(0).length / this.options.l0CompactionTrigger;
    return version.levelBytes(level) / this.targetBytes(level);
  }

  pick(version: Version, state: CompactionState): CompactionJob | undefined {
    let best = 0;
    let bestScore = 0;
    for (let level = 0; level < version.levelCount - 1; level++) {
      const s = this.score(version, level);
      if (s > bestScore) {
        bestScore = s;
        best = level;
      }
    }
    if (bestScore < 1) return undefined;
    return best === 0 ? this.pickL0(version) : this.pickSorted(version, best, state.compactPointers[best]);
  }

  private pickL0(version: Version): CompactionJob {
    const l0 = version.files(0);
    const { smallest, largest } = keyRange(l0);
    const below = version.overlapping(1, smallest, largest);
    return {
      reason: 'l0',
      inputs: [
        { level: 0, files: l0 },
        { level: 1, files: below },
      ],
      outputLevel: 1,
      splitOutput: true,
      trivialMove: l0.length === 1 && below.length === 0,
    };
  }

  private pickSorted(version: Version, level: number, pointer: Uint8Array | undefined): CompactionJob {
    const files = version.files(level);
    let file: FileMeta = files[0]!;
    if (pointer !== undefined) {
      const next = files.find((f) => Buffer.compare(f.smallest, pointer) > 0);
      if (next !== undefined) file = next;
    }
    const below = version.overlapping(level + 1, file.smallest, file.largest);
    return {
      reason: 'size',
      inputs: [
        { level, files: [file] },
        { level: level + 1, files: below },
      ],
      outputLevel: level + 1,
      splitOutput: true,
      compactPointer: { level, key: file.largest },
      trivialMove: below.length === 0,
    };
  }
}
