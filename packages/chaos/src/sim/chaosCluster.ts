import { antiEntropy } from '@dynamis/anti-entropy';
import { lwwResolver } from '@dynamis/conflict-lww';
import { vclockResolver } from '@dynamis/conflict-vclock';
import {
  createNode,
  MembershipToken,
  PartitionerToken,
  ReplicaToken,
  type DynamisNode,
  type NodeId,
  type Plugin,
  type Sibling,
} from '@dynamis/core';
import { lsmEngine } from '@dynamis/engine-lsm';
import { memoryEngine } from '@dynamis/engine-memory';
import { gossipMembership } from '@dynamis/gossip';
import { hintedHandoff } from '@dynamis/hinted-handoff';
import { quorumCoordinator } from '@dynamis/quorum';
import { rebalance } from '@dynamis/rebalance';
import { ringPartitioner } from '@dynamis/ring';
import { simulatedEnvironment, type Simulation } from '@dynamis/testkit/sim';

export interface ChaosClusterOptions {
  /** 'lww' or 'vclock' (conflict-lww / conflict-vclock). */
  readonly resolver: 'lww' | 'vclock';
  /** 'lsm' (engine-lsm on the node's simulated disk, fsync 'always') or 'memory' (engine-memory: a crash loses the node's data). */
  readonly engine: 'lsm' | 'memory';
  /** engine-lsm's WAL fsync policy (default 'always': a power loss of one node loses no acknowledged write). */
  readonly fsync?: 'always' | 'none';
  /** Ring partitions (default 16). */
  readonly partitions?: number;
}

/** N, W, R of the cluster: the server's defaults (quorum reads and writes over 3 replicas). */
export const REPLICATION = { n: 3, w: 2, r: 2 } as const;

/**
 * The gossip settings of the simulated cluster: the plugin's defaults with
 * a shorter full-sync period, so a healed partition is noticed within a few
 * seconds of virtual time.
 */
const GOSSIP = { syncIntervalMs: 1000 } as const;

/**
 * One full node per `sim.nodeIds()`, composed as the server composes a
 * cluster node by default (packages/server startServer: engine, resolver,
 * ring, gossip membership, hinted handoff, anti-entropy, rebalance, quorum
 * coordinator), on the simulated clock, disk, network and log, every node
 * seeding with every other. `crash` / `restart` go through the simulation
 * (a restart composes a new node over the surviving disk).
 */
export async function chaosCluster(sim: Simulation, options: ChaosClusterOptions) {
  const ids = sim.nodeIds();
  const seeds = ids.map((id, i) => `${id}@10.0.0.${i + 1}:7070`);
  const nodes = new Map<NodeId, DynamisNode>();
  const crashes = new Map<NodeId, number>();

  const compose = async (id: NodeId): Promise<DynamisNode> => {
    const plugins: Plugin[] = [
      simulatedEnvironment(sim, id),
      options.engine === 'lsm' ? lsmEngine({ fsync: options.fsync ?? 'always', memtableBytes: 64 * 1024 }) : memoryEngine(),
      options.resolver === 'vclock' ? vclockResolver() : lwwResolver(),
      ringPartitioner({ partitions: options.partitions ?? 16 }),
      gossipMembership(GOSSIP),
      hintedHandoff({}),
      antiEntropy({ intervalMs: 200 }),
      rebalance({}),
      quorumCoordinator(),
    ];
    const config = {
      nodeId: id,
      dataDir: `/data/${id}`,
      seeds: seeds.filter((s) => !s.startsWith(`${id}@`)),
      log: { level: 'silent' as const },
      replication: { ...REPLICATION, sloppyQuorum: false },
      timeouts: { requestMs: 1000 },
    };
    const node = await createNode(config, plugins);
    await node.start();
    nodes.set(id, node);
    return node;
  };
  for (const id of ids) await sim.settle(compose(id));

  const node = (id: NodeId): DynamisNode => {
    const n = nodes.get(id);
    if (n === undefined || sim.isCrashed(id)) throw new Error(`node ${id} is not running`);
    return n;
  };
  const live = (): NodeId[] => ids.filter((id) => !sim.isCrashed(id));

  return {
    sim,
    ids,
    node,
    live,
    /** True when every running node's gossip view holds every node alive. */
    allSeeAllUp: (): boolean => live().every((o) => ids.every((id) => id === o || node(o).resolve(MembershipToken).isAlive(id))),
    /** The key's replicas (its preference list) under `via`'s placement. */
    replicasOf: (key: string, via: NodeId): NodeId[] => [
      ...node(via).resolve(PartitionerToken).placement().preferenceList(key, REPLICATION.n),
    ],
    /** `id`'s own stored record of `key`, tombstones included (Replica.read: no coordinator, no repair). */
    stored: (id: NodeId, key: string): Promise<Sibling[]> => node(id).resolve(ReplicaToken).read(key),
    /** Crashes `id` (see Simulation.crashNode: with a 'faulty' disk, a power loss). */
    /** How many times `id` crashed so far (an operation that sees it change lost its coordinator). */
    incarnation: (id: NodeId): number => crashes.get(id) ?? 0,
    crash: (id: NodeId): void => {
      sim.crashNode(id);
      crashes.set(id, (crashes.get(id) ?? 0) + 1);
      nodes.delete(id);
    },
    /** Restarts crashed `id`: a new node composed over its disk. */
    restart: async (id: NodeId): Promise<void> => {
      await sim.restartNode(id, () => compose(id));
    },
    stop: async (): Promise<void> => {
      for (const id of live()) await sim.settle(nodes.get(id)!.stop());
    },
  };
}

export type ChaosCluster = Awaited<ReturnType<typeof chaosCluster>>;
