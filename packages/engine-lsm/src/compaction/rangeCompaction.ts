import { fileOverlaps, type FileMeta } from '../version/FileMeta';
import type { Version } from '../version/Version';
import { keyRange, type CompactionInput, type CompactionJob } from './CompactionStrategy';

/**
 * The job behind compactRange([lo, hi]) (undefined: open bound): every file
 * that holds keys of the range, in every level, merged into the last level,
 * so every live entry of the range is rewritten once (running the
 * compaction filter) and deletion markers are dropped.
 *
 * To keep data ordered by age, the key range grows as levels are added:
 * a file joins when it overlaps the range of the files taken so far, level
 * by level (L0 from newest to oldest), so no older copy of a taken key is
 * left above the output. Undefined when no file overlaps.
 */
export function planRangeCompaction(version: Version, lo: Uint8Array | undefined, hi: Uint8Array | undefined): CompactionJob | undefined {
  let low = lo;
  let high = hi;
  const inputs: CompactionInput[] = [];
  const widen = (files: readonly FileMeta[]): void => {
    if (files.length === 0) return;
    const r = keyRange(files);
    if (low !== undefined && Buffer.compare(r.smallest, low) < 0) low = r.smallest;
    if (high !== undefined && Buffer.compare(r.largest, high) > 0) high = r.largest;
  };
  const l0: FileMeta[] = [];
  for (const f of version.files(0)) {
    if (!fileOverlaps(f, low, high)) continue;
    l0.push(f);
    widen([f]);
  }
  if (l0.length > 0) inputs.push({ level: 0, files: l0 });
  for (let level = 1; level < version.levelCount; level++) {
    const files = version.overlapping(level, low, high);
    if (files.length === 0) continue;
    inputs.push({ level, files });
    widen(files);
  }
  if (inputs.length === 0) return undefined;
  return { reason: 'manual', inputs, outputLevel: version.levelCount - 1, splitOutput: true };
}
