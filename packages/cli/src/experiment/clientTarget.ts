import type { CausalContext } from '@dynamis/core';
import { scanWalk, type ScanningClient } from '../scanWalk';

/** Sibling figures of the reads a workload issued (ConfigResult.reads). */
export interface ReadTally {
  /** Reads answered. */
  reads: number;
  /** Of those, reads that found a live value. */
  found: number;
  /** Reads that returned more than one sibling (concurrent versions kept by vector clocks). */
  withSiblings: number;
  /** Sibling values returned by those reads, together. */
  siblings: number;
  /** Most siblings one read returned. */
  maxSiblings: number;
}

/** A tally at zero. */
export function emptyTally(): ReadTally {
  return { reads: 0, found: 0, withSiblings: 0, siblings: 0, maxSiblings: 0 };
}

/** The calls a workload drives (@dynamis/workload's WorkloadTarget). */
export interface ClientTarget {
  put(key: string, value: Uint8Array): Promise<void>;
  get(key: string): Promise<{ found: boolean }>;
  /** YCSB E's scan: one page of a cluster-wide walk per call (scanWalk). */
  scan(startKey: string, count: number): Promise<number>;
}

/** The calls of DynamisClient a target makes. */
export interface TargetClient extends ScanningClient {
  put(key: string, value: Uint8Array, options?: { context?: CausalContext }): Promise<unknown>;
  get(key: string): Promise<{ found: boolean; values: readonly Uint8Array[]; context: CausalContext }>;
}

/**
 * A workload target over `client`, each get's siblings added to `tally`
 * (read at call time, so the caller may swap in a fresh tally between
 * phases). `writes` 'blind': put as it is, without context; 'with-context':
 * get the key first (not tallied: it is part of the write) and put with the
 * read's context, superseding what was read. Scans are scanWalk's (not
 * tallied: they are no reads of one key). Rejects as the client does.
 */
export function clientTarget(client: TargetClient, tally: () => ReadTally, writes: 'blind' | 'with-context'): ClientTarget {
  return {
    put: async (key, value) => {
      if (writes === 'blind') await client.put(key, value);
      else await client.put(key, value, { context: (await client.get(key)).context });
    },
    get: async (key) => {
      const r = await client.get(key);
      const t = tally();
      const n = r.values.length;
      t.reads++;
      if (r.found) t.found++;
      if (n > 1) {
        t.withSiblings++;
        t.siblings += n;
      }
      if (n > t.maxSiblings) t.maxSiblings = n;
      return { found: r.found };
    },
    scan: scanWalk(client),
  };
}
