import {
  DynamisError,
  type Membership,
  type NodeId,
  type Partitioner,
  type PartitionId,
  type Rebalancer,
  type ReplicaClient,
  type ScanPageFetcher,
  type ScanPageRequest,
  type ScanPageResult,
} from '@dynamis/core';
import type { Missing } from './fanout';

/** What a scan reads partitions through. */
export interface ScanSources {
  readonly self: NodeId;
  readonly n: number;
  readonly partitioner: Partitioner;
  readonly membership: Membership;
  readonly replicas: ReplicaClient;
  readonly rebalancer: Rebalancer | undefined;
}

/**
 * The replicas a scan reads `partition` from, in the order they are tried:
 * the Rebalancer's read route when one is bound (nodes that hold the data
 * while a partition moves), else the placement's preference list; this node
 * first when it is one of them (no network hop), then the others in list
 * order. Nodes the membership believes down are not tried; they are
 * returned apart so a failure can name them.
 */
export function scanCandidates(s: ScanSources, partition: PartitionId): { live: NodeId[]; down: Missing[] } {
  const placement = s.partitioner.placement();
  const prefs = s.rebalancer !== undefined ? s.rebalancer.route(placement, partition, s.n).read : placement.preferenceList(partition, s.n);
  const live: NodeId[] = [];
  const down: Missing[] = [];
  for (const node of prefs) {
    if (node === s.self) live.unshift(node);
    else if (s.membership.isAlive(node)) live.push(node);
    else down.push({ node, reason: 'down (membership)' });
  }
  return { live, down };
}

/**
 * A ScanPageFetcher over the cluster: each page is asked of one replica of
 * the partition (scanCandidates order), falling over to the next one when a
 * call fails (any error: the page is a read, asking again is safe). When
 * every candidate failed, or none is live: QUORUM_NOT_REACHED (details:
 * `partition`, `required: 1`, `answered: []`, `missing` naming each node
 * and why).
 */
export function scanFetcher(s: ScanSources, timeoutMs: number | undefined): ScanPageFetcher {
  const call = timeoutMs === undefined ? {} : { timeoutMs };
  return async (partition: PartitionId, request: ScanPageRequest): Promise<ScanPageResult> => {
    const { live, down } = scanCandidates(s, partition);
    const missing: Missing[] = [...down];
    for (const node of live) {
      try {
        return await s.replicas.scan(node, partition, request, call);
      } catch (err) {
        const e = err as Error & { code?: string };
        missing.push({ node, reason: `${e.code ?? 'ERROR'}: ${e.message}` });
      }
    }
    throw new DynamisError('QUORUM_NOT_REACHED', `scan of partition ${partition}: no replica answered`, {
      details: { partition, required: 1, answered: [], missing },
    });
  };
}
