import type { CompactionDecision, CompactionFilter } from '../ports/StorageEngine';
import type { Sibling } from '../ports/types';
import { isDataKey } from './keySpace';
import { decodeRecord, encodeRecord } from './recordCodec';

const KEEP: CompactionDecision = { action: 'keep' };
const REMOVE: CompactionDecision = { action: 'remove' };

/** True when `s` may be purged at time `now`: a tombstone or expired value older than the grace period. */
export function isPurgeable(s: Sibling, now: number, graceMs: number): boolean {
  if (s.value === null) return s.writtenAt + graceMs <= now;
  return s.expiresAt !== undefined && s.expiresAt + graceMs <= now;
}

/**
 * The compaction filter the replica installs on its engine: drops purgeable
 * siblings from data-space records, removes a record left empty, and leaves
 * every other key space alone. A record it cannot decode is kept (reads will
 * report the corruption).
 */
export function recordCompactionFilter(now: () => number, graceMs: number): CompactionFilter {
  return (key, value) => {
    if (!isDataKey(key)) return KEEP;
    let siblings: Sibling[];
    try {
      siblings = decodeRecord(value);
    } catch {
      return KEEP;
    }
    const t = now();
    const kept = siblings.filter((s) => !isPurgeable(s, t, graceMs));
    if (kept.length === siblings.length) return KEEP;
    if (kept.length === 0) return REMOVE;
    return { action: 'replace', value: encodeRecord(kept) };
  };
}
