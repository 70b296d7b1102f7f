/** The call of DynamisClient a scan walk makes. */
export interface ScanningClient {
  scan(options: { limit: number; cursor?: string }): Promise<{ readonly items: readonly unknown[]; readonly cursor: string | null }>;
}

/**
 * YCSB's scan (workload E) over `client`, as @dynamis/workload's
 * `WorkloadTarget.scan`: Dynamis places keys by hash, so YCSB's "the `count`
 * keys from `startKey` on" has no order to follow; each call instead reads
 * one page of up to `count` records of a cluster-wide walk that the returned
 * function keeps going (the cursor of the last page; from the start again
 * at the end), so it costs about `count` records like YCSB's. The start key
 * is not used; pages are read at the node's default consistency (a scan
 * takes only 'one'). Resolves with the records the page held (a page may
 * hold fewer than asked, even none, before the end); rejects as the client
 * does, the walk staying where it was. One walk per target, one call at a
 * time on it (a workload loop awaits each operation).
 */
export function scanWalk(client: ScanningClient): (startKey: string, count: number) => Promise<number> {
  let cursor: string | undefined;
  return async (_startKey, count) => {
    const page = await client.scan({ limit: count, ...(cursor !== undefined ? { cursor } : {}) });
    cursor = page.cursor ?? undefined;
    return page.items.length;
  };
}
