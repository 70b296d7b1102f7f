import { lwwResolver } from '@dynamis/conflict-lww';
import { vclockResolver } from '@dynamis/conflict-vclock';
import {
  ConflictResolverToken,
  CoordinatorToken,
  createNode,
  definePlugin,
  RebalancerToken,
  ReplicaToken,
  type Rebalancer,
  type DynamisNode,
  type NodeId,
  type Plugin,
  type Sibling,
} from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { ringPartitioner } from '@dynamis/ring';
import { seedFromEnv, type Simulation, simulatedEnvironment, FixedMembership, fixedMembership } from '@dynamis/testkit';
import { quorumCoordinator, type QuorumCoordinator } from '../src';

export interface ClusterOptions {
  readonly ids?: readonly NodeId[];
  readonly n?: number;
  readonly resolver?: 'lww' | 'vclock';
  /** replication.readFanout (default: the config's, 'quorum'). */
  readonly readFanout?: 'quorum' | 'all';
  /** replication.speculativeRetryMs (default: the config's). */
  readonly speculativeRetryMs?: number;
  /** A Rebalancer bound on every node (its route decides where requests go); none by default. */
  readonly rebalancer?: (id: NodeId) => Rebalancer;
}

/** The seeds a simulation test runs over; DYNAMIS_SEED replays one. */
export function seeds(count: number, base: number): number[] {
  return process.env['DYNAMIS_SEED'] ? [seedFromEnv(0)] : Array.from({ length: count }, (_, i) => base + i);
}

export const bytes = (s: string): Uint8Array => Buffer.from(s);
export const text = (v: { value: Uint8Array | null }): string | null => (v.value === null ? null : Buffer.from(v.value).toString());

/** N-replica nodes on one simulation, each with the quorum coordinator, the ring and a shared fixed membership view. */
export async function simCluster(sim: Simulation, options: ClusterOptions = {}) {
  const ids = options.ids ?? sim.nodeIds();
  const members = ids.map((id) => ({ id, address: id, status: 'up' as const }));
  const nodes = new Map<NodeId, DynamisNode>();
  const views = new Map<NodeId, FixedMembership>();
  for (const id of ids) {
    const view = new FixedMembership(id, members);
    const plugins: Plugin[] = [
      simulatedEnvironment(sim, id),
      memoryEngine(),
      options.resolver === 'vclock' ? vclockResolver() : lwwResolver(),
      ringPartitioner({ partitions: 64 }),
      fixedMembership(view),
      quorumCoordinator(),
    ];
    const rebalancer = options.rebalancer?.(id);
    if (rebalancer !== undefined) {
      plugins.push(
        definePlugin({
          name: `test-rebalancer(${id})`,
          version: '0.1.0',
          core: '^0.1.0',
          provides: ['Rebalancer'],
          needs: [],
          register: ({ bind }) => void bind(RebalancerToken).toConstantValue(rebalancer),
        }),
      );
    }
    const node = await createNode(
      {
        nodeId: id,
        log: { level: 'silent' },
        replication: {
          n: options.n ?? 3,
          sloppyQuorum: false,
          ...(options.readFanout === undefined ? {} : { readFanout: options.readFanout }),
          ...(options.speculativeRetryMs === undefined ? {} : { speculativeRetryMs: options.speculativeRetryMs }),
        },
      },
      plugins,
    );
    await node.start();
    nodes.set(id, node);
    views.set(id, view);
  }
  const node = (id: NodeId): DynamisNode => nodes.get(id)!;

  /** Runs virtual time until `p` settles; resolves or rejects like it. */
  function run<T>(p: Promise<T>): Promise<T> {
    return sim.settle(p);
  }

  return {
    sim,
    ids,
    node,
    run,
    view: (id: NodeId) => views.get(id)!,
    coordinator: (id: NodeId) => node(id).resolve(CoordinatorToken) as QuorumCoordinator,
    /** `id`'s own stored record of `key` (tombstones included). */
    stored: (id: NodeId, key: string): Promise<Sibling[]> => node(id).resolve(ReplicaToken).read(key),
    resolver: (id: NodeId) => node(id).resolve(ConflictResolverToken),
    stop: async () => {
      for (const n of nodes.values()) await n.stop();
    },
  };
}

export type SimCluster = Awaited<ReturnType<typeof simCluster>>;
