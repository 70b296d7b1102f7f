import {
  copyBytes,
  DynamisError,
  type CompactionDecision,
  type CompactionFilter,
  type PurgedKey,
  type PurgeReporter,
  type RangeBounds,
} from '@dynamis/core';
import type { ClassicLevel } from 'classic-level';
import { levelError } from './levelError';

/** Decisions applied (and reported) per LevelDB batch: the bound on what one filter run holds in memory. */
export const FILTER_CHUNK = 1024;

/** Purges applied so far, counted as each chunk is applied (so a failed run still counts what it applied). */
export interface FilterTally {
  removed: number;
  replaced: number;
}

export interface FilterResult {
  /** The first and last key in the range (undefined when it is empty), for LevelDB's own compactRange. */
  readonly first: Uint8Array | undefined;
  readonly last: Uint8Array | undefined;
}

/**
 * Runs `filter` (when set) over every live entry in `bounds`, in key order,
 * reading one LevelDB snapshot. LevelDB has no compaction-filter hook, so
 * this is the engine's filter pass: the caller runs it with no write
 * interleaving (WriteQueue.exclusive). Decisions are applied every
 * FILTER_CHUNK purges as one synced batch, then reported to `purges` (so a
 * report follows a durable purge). A filter that throws, or a malformed
 * decision (INVALID_ARGUMENT), rejects with that error: the chunks applied before it stay
 * applied and reported, the current one is dropped, nothing else changes.
 */
export async function filterRange(
  db: ClassicLevel<Uint8Array, Uint8Array>,
  bounds: RangeBounds,
  filter: CompactionFilter | undefined,
  purges: PurgeReporter,
  tally: FilterTally,
  path: string,
): Promise<FilterResult> {
  const range: Record<string, Uint8Array> = {};
  if (bounds.lower !== undefined) range[bounds.lowerInclusive ? 'gte' : 'gt'] = bounds.lower;
  if (bounds.upper !== undefined) range[bounds.upperInclusive ? 'lte' : 'lt'] = bounds.upper;
  const it = db.iterator(range);
  let first: Uint8Array | undefined;
  let last: Uint8Array | undefined;
  let ops: ({ type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array })[] = [];
  let report: PurgedKey[] = [];
  const flush = async (): Promise<void> => {
    if (ops.length === 0) return;
    try {
      await db.batch(ops as never, { sync: true });
    } catch (err) {
      throw levelError(err, 'compactRange', path);
    }
    for (const p of report) {
      if (p.action === 'remove') tally.removed++;
      else tally.replaced++;
    }
    purges.deliver(report);
    ops = [];
    report = [];
  };
  const next = (): Promise<[Uint8Array, Uint8Array][]> =>
    it.nextv(FILTER_CHUNK).catch((err: unknown) => Promise.reject(levelError(err, 'compactRange', path)));
  try {
    for (let batch = await next(); batch.length > 0; batch = await next()) {
      for (const [key, value] of batch) {
        first ??= key;
        last = key;
        if (filter === undefined) continue;
        const decision = checkDecision(filter(key, value), key);
        if (decision.action === 'keep') continue;
        const note = decision.note === undefined ? {} : { note: copyBytes(decision.note) };
        if (decision.action === 'remove') ops.push({ type: 'del', key });
        else ops.push({ type: 'put', key, value: copyBytes(decision.value) });
        report.push({ key, action: decision.action, ...note });
        if (report.length >= FILTER_CHUNK) await flush();
      }
    }
    await flush();
  } finally {
    await it.close().catch(() => undefined);
  }
  return { first, last };
}

/** `decision` when well-formed, else INVALID_ARGUMENT naming the key. */
function checkDecision(decision: CompactionDecision, key: Uint8Array): CompactionDecision {
  const d = decision as { action?: unknown; value?: unknown; note?: unknown } | null;
  const ok =
    typeof d === 'object' &&
    d !== null &&
    (d.action === 'keep' || d.action === 'remove' || (d.action === 'replace' && d.value instanceof Uint8Array)) &&
    (d.note === undefined || d.note instanceof Uint8Array);
  if (ok) return decision;
  throw new DynamisError('INVALID_ARGUMENT', 'the compaction filter returned a malformed decision', {
    details: { argument: 'decision', key: Buffer.from(key).toString('hex') },
  });
}
