import { DynamisClient } from '@dynamis/client';
import { isDynamisError, type Consistency } from '@dynamis/core';
import type { WorkloadTarget } from '@dynamis/workload';

/** The page of a cluster-wide scan, as a client that can scan answers it (DynamisClient.scan, when the build has it). */
interface ScanPage {
  readonly items: readonly unknown[];
  readonly cursor: string | null;
}

/** A client that may scan: `scan` is looked up at run time, so this file builds with or without it. */
type MaybeScanning = DynamisClient & {
  scan?: (options: { limit: number; cursor?: string }) => Promise<ScanPage>;
};

/** True when `client` (or, without one, DynamisClient itself) offers `scan`. */
export function clientCanScan(client?: DynamisClient): boolean {
  const probe = (client ?? DynamisClient.prototype) as Partial<MaybeScanning>;
  return typeof probe.scan === 'function';
}

/** Counts the puts clientTarget had to redo with a read's context (see there). */
export interface SiblingResolutions {
  count: number;
}

/**
 * `client` as a WorkloadTarget: put and get with `consistency` (W and R;
 * absent: the node's defaults), a value counting as found when the read
 * sees a live value. A put is blind, as YCSB's; under vector clocks blind
 * writes to a hot key add siblings until the node refuses one with
 * CONFLICT (`details.condition` 'maxSiblings'): the put then reads the key
 * and writes again with that read's context (once; what an application
 * must do), timed as one operation and counted in `resolved`. `scan` exists when the client can scan: Dynamis places
 * keys by hash, so YCSB's "the `count` keys from `startKey` on" has no
 * order to follow; each scan instead reads one page of up to `count` records
 * of a cluster-wide walk this target keeps going (cursor of the last page,
 * from the start again at the end), so it costs about `count` records like
 * YCSB's; the start key is not used, and scans read at the node's default
 * consistency (a scan takes only 'one'). Resolves with the records the page
 * held (a page may hold fewer than asked, even none, before the end).
 */
export function clientTarget(client: DynamisClient, consistency?: Consistency, resolved?: SiblingResolutions): WorkloadTarget {
  const options = consistency === undefined ? {} : { consistency };
  const target: WorkloadTarget = {
    put: async (key, value) => {
      try {
        await client.put(key, value, options);
      } catch (err) {
        if (!isDynamisError(err, 'CONFLICT') || err.details.condition !== 'maxSiblings') throw err;
        // Blind writes under vector clocks pile up siblings; past maxSiblings the node asks for a write with context.
        const { context } = await client.get(key, options);
        await client.put(key, value, { ...options, context });
        if (resolved !== undefined) resolved.count++;
      }
    },
    get: async (key) => ({ found: (await client.get(key, options)).found }),
  };
  const scanning = client as MaybeScanning;
  if (typeof scanning.scan !== 'function') return target;
  let cursor: string | undefined;
  target.scan = async (_startKey, count) => {
    const page = await scanning.scan!({ limit: count, ...(cursor !== undefined ? { cursor } : {}) });
    cursor = page.cursor ?? undefined;
    return page.items.length;
  };
  return target;
}
