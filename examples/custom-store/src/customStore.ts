import { lwwResolver } from '@dynamis/conflict-lww';
import type { Plugin } from '@dynamis/core';
import { lsmEngine } from '@dynamis/engine-lsm';
import { memoryEngine } from '@dynamis/engine-memory';
import { gossipMembership } from '@dynamis/gossip';
import { quorumCoordinator } from '@dynamis/quorum';
import { ringPartitioner } from '@dynamis/ring';

/** The node config section of this store: three replicas, quorum writes and reads. */
export const REPLICATION = { n: 3, w: 2, r: 2 } as const;

/**
 * The store, assembled from chosen packages: a storage engine (the LSM tree
 * on disk, or memory), last-write-wins versions, a consistent-hashing ring
 * of 32 partitions, gossip membership with SWIM failure detection, and the
 * quorum coordinator (N/W/R from REPLICATION). Where it runs (clock, disk,
 * network) is left to the caller: transport-ws for processes, the testkit's
 * simulated environment for one process.
 */
export function customStore(engine: 'lsm' | 'memory'): Plugin[] {
  return [
    engine === 'lsm' ? lsmEngine() : memoryEngine(),
    lwwResolver(),
    ringPartitioner({ partitions: 32 }),
    gossipMembership({ gossipIntervalMs: 100, probeIntervalMs: 600, probeTimeoutMs: 200 }),
    quorumCoordinator(),
  ];
}
