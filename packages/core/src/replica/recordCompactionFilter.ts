import type { CompactionDecision, CompactionFilter, PortableCompactionFilter } from '../ports/StorageEngine';
import type { Sibling } from '../ports/types';
import { isDataKey } from './keySpace';
import { encodePurgeNote } from './purgeNote';
import { decodeRecord, encodeRecord } from './recordCodec';

const KEEP: CompactionDecision = { action: 'keep' };

/** True when `s` may be purged at time `now`: a tombstone or expired value older than the grace period. */
export function isPurgeable(s: Sibling, now: number, graceMs: number): boolean {
  if (s.value === null) return s.writtenAt + graceMs <= now;
  return s.expiresAt !== undefined && s.expiresAt + graceMs <= now;
}

/**
 * The compaction filter the replica installs on its engine: drops purgeable
 * siblings from data-space records, removes a record left empty, and leaves
 * every other key space alone. A record it cannot decode is kept (reads will
 * report the corruption). `now` is read once per record it decodes. Each
 * purge carries a note (encodePurgeNote) listing the versions of the
 * siblings it dropped, for the engine's purge listener.
 *
 * It is portable (see CompactionFilter.portable): an engine compacting on
 * another thread rebuilds it there as `recordCompactionFilterAt(now(),
 * graceMs)`, with `now` sampled when the compaction starts. Entries are
 * then judged against that instant, which is never later than the inline
 * filter's clock would be, so the rebuilt filter purges no more than this
 * one (it may keep a record that expires during the compaction, for the
 * next one).
 */
export function recordCompactionFilter(now: () => number, graceMs: number): CompactionFilter {
  const filter = (key: Uint8Array, value: Uint8Array): CompactionDecision => purge(key, value, now, graceMs);
  const portable = (): PortableCompactionFilter => ({
    module: '@dynamis/core',
    export: 'recordCompactionFilterAt',
    args: [now(), graceMs],
  });
  return Object.assign(filter, { portable });
}

/**
 * recordCompactionFilter judged at the fixed instant `now` (ms since the
 * epoch): the factory of its portable form, for another thread.
 */
export function recordCompactionFilterAt(now: number, graceMs: number): CompactionFilter {
  return recordCompactionFilter(() => now, graceMs);
}

function purge(key: Uint8Array, value: Uint8Array, now: () => number, graceMs: number): CompactionDecision {
  if (!isDataKey(key)) return KEEP;
  let siblings: Sibling[];
  try {
    siblings = decodeRecord(value);
  } catch {
    return KEEP;
  }
  const t = now();
  const kept: Sibling[] = [];
  const dropped: Sibling[] = [];
  for (const s of siblings) (isPurgeable(s, t, graceMs) ? dropped : kept).push(s);
  if (dropped.length === 0) return KEEP;
  const note = encodePurgeNote(dropped.map((s) => s.version));
  if (kept.length === 0) return { action: 'remove', note };
  return { action: 'replace', value: encodeRecord(kept), note };
}
