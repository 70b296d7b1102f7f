import { isDynamisError, type Clock } from '@dynamis/core';

/** A client pinned to one coordinator node: writes and reads go through that node. */
export interface ProbeClient {
  put(key: string, value: Uint8Array): Promise<unknown>;
  get(key: string): Promise<{ readonly values: readonly Uint8Array[] }>;
}

/** P(stale | t) for one delay t. */
export interface StalenessPoint {
  readonly delayMs: number;
  /** Trials whose write and read both completed. */
  readonly trials: number;
  /** Of those, reads that did not return the value just written (an older version or none). */
  readonly stale: number;
  /** stale / trials (0 when no trial completed). */
  readonly pStale: number;
  /** Trials lost to a failed write or read (not counted in trials). */
  readonly errors: number;
  /** Those failures by DynamisError code (anything else: UNEXPECTED). */
  readonly errorsByCode: Record<string, number>;
}

export interface StalenessSpec {
  readonly samples: number;
  readonly delaysMs: readonly number[];
  readonly concurrency: number;
}

/**
 * The PBS t-visibility probe (Bailis et al., "Probabilistically Bounded
 * Staleness", VLDB 2012): `spec.samples` trials for each delay t of
 * `spec.delaysMs`. Trial i (0 ≤ i < samples × delays) has delay t =
 * delaysMs[i mod delays], so the delays are interleaved and each sees the
 * same mix of cluster load. It writes a unique value under a fresh key
 * through coordinator A = clients[i mod k], waits until the write is
 * acknowledged, then t ms on `clock` (no wait for t = 0), then reads the
 * key through coordinator B = clients[(i + 1) mod k], a different one; it
 * is stale when the read's values do not include the value written (the
 * read saw the older version: none). Keys are `${keyPrefix}${t}/${i}`,
 * never reused. At most `spec.concurrency` trials are in flight.
 * `onProgress(done, total)` after each trial. Resolves with one point per
 * delay, in `delaysMs` order. Needs at least two clients.
 */
export async function measureStaleness(
  clients: readonly ProbeClient[],
  spec: StalenessSpec,
  clock: Clock,
  keyPrefix: string,
  onProgress: (done: number, total: number) => void = () => {},
): Promise<StalenessPoint[]> {
  if (clients.length < 2) throw new RangeError('measureStaleness needs two coordinators at least');
  const delays = spec.delaysMs.length;
  const total = spec.samples * delays;
  const tallies = spec.delaysMs.map(() => ({ stale: 0, errors: 0, errorsByCode: {} as Record<string, number> }));
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const delayMs = spec.delaysMs[i % delays]!;
      const tally = tallies[i % delays]!;
      const outcome = await trial(
        clients[i % clients.length]!,
        clients[(i + 1) % clients.length]!,
        `${keyPrefix}${delayMs}/${i}`,
        delayMs,
        clock,
      );
      if (typeof outcome !== 'string') {
        tally.errors++;
        tally.errorsByCode[outcome.code] = (tally.errorsByCode[outcome.code] ?? 0) + 1;
      } else if (outcome === 'stale') tally.stale++;
      onProgress(++done, total);
    }
  };
  await Promise.all(Array.from({ length: Math.min(spec.concurrency, total) }, worker));
  return spec.delaysMs.map((delayMs, d) => {
    const { stale, errors, errorsByCode } = tallies[d]!;
    const trials = spec.samples - errors;
    return { delayMs, trials, stale, pStale: trials === 0 ? 0 : stale / trials, errors, errorsByCode };
  });
}

async function trial(
  writer: ProbeClient,
  reader: ProbeClient,
  key: string,
  delayMs: number,
  clock: Clock,
): Promise<'fresh' | 'stale' | { code: string }> {
  const value = new TextEncoder().encode(key);
  try {
    await writer.put(key, value);
  } catch (err) {
    return { code: codeOf(err) };
  }
  if (delayMs > 0) await clock.sleep(delayMs);
  let values: readonly Uint8Array[];
  try {
    ({ values } = await reader.get(key));
  } catch (err) {
    return { code: codeOf(err) };
  }
  return values.some((v) => Buffer.from(v).equals(value)) ? 'fresh' : 'stale';
}

function codeOf(err: unknown): string {
  return isDynamisError(err) ? err.code : 'UNEXPECTED';
}
