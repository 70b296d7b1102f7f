import type { CompactionDecision, CompactionFilter, PortableCompactionFilter } from '../ports/StorageEngine';
import type { Sibling } from '../ports/types';
import { isDataKey, partitionOfDataKey } from './keySpace';
import { encodePurgeNote } from './purgeNote';
import { decodeRecord, encodeRecord } from './recordCodec';

const KEEP: CompactionDecision = { action: 'keep' };

/**
 * The wait for repair (see recordCompactionFilter): `horizons()` returns, per
 * partition id, the time through which every current replica peer of that
 * partition is known to hold what this node held (AntiEntropy.repairedThrough),
 * or undefined when nothing tracks repair (then the grace period alone
 * decides). `maxGraceMs` (≥ the grace period) is the age after which a
 * purgeable sibling is dropped whatever the horizon says.
 */
export interface RepairWait {
  readonly horizons: () => ArrayLike<number> | undefined;
  readonly maxGraceMs: number;
}

/** True when `s` may be purged at time `now` as far as age goes: a tombstone or expired value older than `graceMs`. */
export function isPurgeable(s: Sibling, now: number, graceMs: number): boolean {
  if (s.value === null) return s.writtenAt + graceMs <= now;
  return s.expiresAt !== undefined && s.expiresAt + graceMs <= now;
}

/**
 * True when a sibling `isPurgeable` at `now` may also be purged as far as
 * repair goes: `horizon` (its partition's repaired-through time; undefined
 * when repair is not tracked) is at or past its `writtenAt`, or it is older
 * than `maxGraceMs` (measured like the grace: from writtenAt for a tombstone,
 * from expiresAt for an expired value). Pure.
 */
export function isRepaired(s: Sibling, now: number, horizon: number | undefined, maxGraceMs: number): boolean {
  if (horizon === undefined || horizon >= s.writtenAt) return true;
  const from = s.value === null ? s.writtenAt : (s.expiresAt ?? s.writtenAt);
  return from + maxGraceMs <= now;
}

/**
 * The compaction filter the replica installs on its engine: drops purgeable
 * siblings from data-space records, removes a record left empty, and leaves
 * every other key space alone. A record it cannot decode is kept (reads will
 * report the corruption). `now` (and `wait.horizons`) are read once per
 * record it decodes. Each purge carries a note (encodePurgeNote) listing the
 * versions of the siblings it dropped, for the engine's purge listener.
 *
 * Purgeable: a tombstone once `writtenAt + graceMs <= now`, an expired value
 * once `expiresAt + graceMs <= now`, and, with `wait` whose `horizons()`
 * returns an array, only once its partition's horizon is ≥ its `writtenAt`
 * (every replica peer has synced with this node since it was written) or it
 * is older than `wait.maxGraceMs` (isRepaired). A partition missing from the
 * array counts as never repaired.
 *
 * It is portable (see CompactionFilter.portable): an engine compacting on
 * another thread rebuilds it there as `recordCompactionFilterAt(now(),
 * graceMs, maxGraceMs, horizons)`, with `now` and a copy of the horizons
 * sampled when the compaction starts. Entries are then judged against that
 * instant and those horizons, which are never later than the inline
 * filter's would be (horizons only grow while the placement holds), so the
 * rebuilt filter purges no more than this one (it may keep a record that
 * becomes purgeable during the compaction, for the next one).
 */
export function recordCompactionFilter(now: () => number, graceMs: number, wait?: RepairWait): CompactionFilter {
  const horizons = wait?.horizons ?? noHorizons;
  const maxGraceMs = wait?.maxGraceMs ?? graceMs;
  const filter = (key: Uint8Array, value: Uint8Array): CompactionDecision => purge(key, value, now, graceMs, horizons, maxGraceMs);
  const portable = (): PortableCompactionFilter => {
    const t = now();
    const h = horizons();
    return {
      module: '@dynamis/core',
      export: 'recordCompactionFilterAt',
      args: h === undefined ? [t, graceMs] : [t, graceMs, maxGraceMs, Array.from(h)],
    };
  };
  return Object.assign(filter, { portable });
}

/**
 * recordCompactionFilter judged at the fixed instant `now` (ms since the
 * epoch) and, when `horizons` is given, with those fixed per-partition
 * horizons and `maxGraceMs`: the factory of its portable form, for another
 * thread.
 */
export function recordCompactionFilterAt(
  now: number,
  graceMs: number,
  maxGraceMs?: number,
  horizons?: readonly number[],
): CompactionFilter {
  if (horizons === undefined) return recordCompactionFilter(() => now, graceMs);
  return recordCompactionFilter(() => now, graceMs, { horizons: () => horizons, maxGraceMs: maxGraceMs ?? graceMs });
}

function noHorizons(): undefined {
  return undefined;
}

function purge(
  key: Uint8Array,
  value: Uint8Array,
  now: () => number,
  graceMs: number,
  horizons: () => ArrayLike<number> | undefined,
  maxGraceMs: number,
): CompactionDecision {
  if (!isDataKey(key)) return KEEP;
  let siblings: Sibling[];
  let partition: number;
  try {
    siblings = decodeRecord(value);
    partition = partitionOfDataKey(key);
  } catch {
    return KEEP;
  }
  const t = now();
  const h = horizons();
  const horizon = h === undefined ? undefined : (h[partition] ?? -Infinity);
  const kept: Sibling[] = [];
  const dropped: Sibling[] = [];
  for (const s of siblings) {
    (isPurgeable(s, t, graceMs) && isRepaired(s, t, horizon, maxGraceMs) ? dropped : kept).push(s);
  }
  if (dropped.length === 0) return KEEP;
  const note = encodePurgeNote(dropped.map((s) => s.version));
  if (kept.length === 0) return { action: 'remove', note };
  return { action: 'replace', value: encodeRecord(kept), note };
}
