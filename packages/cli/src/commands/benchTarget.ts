import type { DynamisClient } from '@dynamis/client';
import { isDynamisError, type Consistency } from '@dynamis/core';
import type { WorkloadTarget } from '@dynamis/workload';
import { scanWalk } from '../scanWalk';

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
 * must do), timed as one operation and counted in `resolved`. `scan` is
 * scanWalk's (YCSB E: one page of a cluster-wide walk per call).
 */
export function clientTarget(client: DynamisClient, consistency?: Consistency, resolved?: SiblingResolutions): WorkloadTarget {
  const options = consistency === undefined ? {} : { consistency };
  return {
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
    scan: scanWalk(client),
  };
}
