import { compareRange } from '../util/internalKey';
import { fileContains, type KeySpan } from '../version/FileMeta';
import type { Version } from '../version/Version';
import { findFile } from '../version/Version';
import { jobFiles, keyRange, type CompactionJob } from './CompactionStrategy';

/**
 * Where data older than a compaction's inputs may live, as key ranges: for
 * every level below the output, the files of that level that overlap the
 * inputs' key range (sorted, disjoint); for a level-0 output, the older L0
 * files outside the inputs. Plain data (copied keys), so it can be sent to
 * the worker thread; `hasNoOlderData` turns it back into the predicate.
 */
export interface OlderData {
  readonly levels: readonly (readonly KeySpan[])[];
  readonly olderL0: readonly KeySpan[];
}

/** The OlderData of `job` over `version` (which the caller holds). */
export function olderDataOf(job: CompactionJob, version: Version): OlderData {
  const inputs = jobFiles(job);
  if (inputs.length === 0) return { levels: [], olderL0: [] };
  const taken = new Set(inputs.map((f) => f.number));
  let minSeq = Infinity;
  for (const f of inputs) minSeq = Math.min(minSeq, f.minSeq);
  const { smallest, largest } = keyRange(inputs);
  const levels: KeySpan[][] = [];
  for (let level = Math.max(1, job.outputLevel + 1); level < version.levelCount; level++) {
    const files = version.overlapping(level, smallest, largest);
    if (files.length > 0) levels.push(files.map(spanOf));
  }
  const olderL0 = job.outputLevel === 0 ? version.files(0).filter((f) => !taken.has(f.number) && f.maxSeq < minSeq) : [];
  return { levels, olderL0: olderL0.map(spanOf) };
}

/**
 * A predicate over keys of the inputs: true when no data of `key` older
 * than the inputs can exist (no range of `older` holds it), so a deletion
 * marker of `key` can be dropped. Allocation-free per call.
 */
export function hasNoOlderData(older: OlderData): (key: Uint8Array) => boolean {
  return (key) => {
    for (const files of older.levels) {
      const i = findFile(files, key);
      if (i < files.length) {
        const s = files[i]!.smallest;
        if (compareRange(s, 0, s.length, key, 0, key.length) <= 0) return false;
      }
    }
    for (const f of older.olderL0) if (fileContains(f, key)) return false;
    return true;
  };
}

/** A copy of the key range of `f` (fresh buffers: cheap to send to another thread). */
function spanOf(f: KeySpan): KeySpan {
  return { smallest: f.smallest.slice(), largest: f.largest.slice() };
}
