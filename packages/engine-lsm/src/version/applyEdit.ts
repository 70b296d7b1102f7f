import type { Damage } from '../damage/Damage';
import type { RangeTombstone } from '../rangedel/RangeTombstone';
import { corruption } from '../util/corruption';
import { bySmallest, newestFirst, type FileMeta } from './FileMeta';
import { Version } from './Version';
import type { VersionEdit } from './VersionEdit';

/**
 * The version that results from applying `edit` to `base`: its deleted
 * files removed, its added files inserted in level order. Pure (the new
 * Version has refs 0). Throws CORRUPTION naming `source` (the manifest, or
 * '(engine)' for a live edit) when the edit deletes a file that is not
 * there, adds one twice, or leaves two files of a sorted level overlapping.
 */
export function applyEdit(base: Version, edit: VersionEdit, source: string): Version {
  const levels: FileMeta[][] = base.levels.map((files) => [...files]);
  for (const { level, number } of edit.deleted) {
    const files = levels[level]!;
    const i = files.findIndex((f) => f.number === number);
    if (i < 0) throw corruption(`edit deletes file ${number}, which is not in level ${level}`, source, 0, { level, number });
    files.splice(i, 1);
  }
  for (const { level, meta } of edit.added) levels[level]!.push(meta);
  const rangeDels = applyRangeDels(base, edit, source);
  const seen = new Set<number>();
  for (let level = 0; level < levels.length; level++) {
    const files = levels[level]!;
    files.sort(level === 0 ? newestFirst : bySmallest);
    for (let i = 0; i < files.length; i++) {
      const f = files[i]!;
      if (seen.has(f.number)) throw corruption(`file ${f.number} listed twice`, source, 0, { level, number: f.number });
      seen.add(f.number);
      const prev = files[i - 1];
      if (level > 0 && prev !== undefined && Buffer.compare(prev.largest, f.smallest) >= 0) {
        throw corruption(`files ${prev.number} and ${f.number} overlap in level ${level}`, source, 0, { level });
      }
    }
  }
  return new Version(levels, rangeDels, applyDamage(base, edit, source));
}

/** The range tombstones of `base` less the edit's dropped ones plus its added ones, ascending seq. */
function applyRangeDels(base: Version, edit: VersionEdit, source: string): RangeTombstone[] {
  if (edit.droppedRangeDels.length === 0 && edit.addedRangeDels.length === 0) return base.rangeDels as RangeTombstone[];
  const bySeq = new Map<number, RangeTombstone>();
  for (const t of base.rangeDels) bySeq.set(t.seq, t);
  for (const seq of edit.droppedRangeDels) {
    if (!bySeq.delete(seq)) throw corruption(`edit drops range tombstone ${seq}, which is not live`, source, 0, { seq });
  }
  for (const t of edit.addedRangeDels) {
    if (bySeq.has(t.seq)) throw corruption(`range tombstone ${t.seq} added twice`, source, 0, { seq: t.seq });
    bySeq.set(t.seq, t);
  }
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/** The fences of `base` less the edit's cleared ones plus its added ones (one per file). */
function applyDamage(base: Version, edit: VersionEdit, source: string): readonly Damage[] {
  if (edit.addedDamage.length === 0 && edit.clearedDamage.length === 0) return base.damaged;
  const byFile = new Map<number, Damage>();
  for (const d of base.damaged) byFile.set(d.file, d);
  for (const file of edit.clearedDamage) {
    if (!byFile.delete(file)) throw corruption(`edit lifts the fence of file ${file}, which has none`, source, 0, { number: file });
  }
  for (const d of edit.addedDamage) {
    if (byFile.has(d.file)) throw corruption(`file ${d.file} fenced twice`, source, 0, { number: d.file });
    byFile.set(d.file, d);
  }
  return [...byFile.values()];
}

/** An empty version with `levelCount` levels. */
export function emptyVersion(levelCount: number): Version {
  return new Version(Array.from({ length: levelCount }, () => []));
}
