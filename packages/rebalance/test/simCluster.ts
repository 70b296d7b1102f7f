import { lwwResolver } from '@dynamis/conflict-lww';
import {
  CoordinatorToken,
  createNode,
  PartitionerToken,
  RebalancerToken,
  ReplicaToken,
  type DynamisNode,
  type Member,
  type NodeId,
} from '@dynamis/core';
import { lsmEngine, type LsmOptions } from '@dynamis/engine-lsm';
import { memoryEngine } from '@dynamis/engine-memory';
import { quorumCoordinator } from '@dynamis/quorum';
import { ringPartitioner } from '@dynamis/ring';
import { seedFromEnv, simulatedEnvironment, type Simulation } from '@dynamis/testkit';
import { rebalance, recordBytes, type PartitionRebalancer, type RebalanceOptionsInput } from '../src';
import { ScriptedMembership, scriptedMembership } from './ScriptedMembership';

/** The seeds to run: DYNAMIS_SEED replays one; DYNAMIS_REBALANCE_SEEDS (a count) runs that many instead of `count`. */
export function seeds(count: number, base: number): number[] {
  if (process.env['DYNAMIS_SEED']) return [seedFromEnv(0)];
  const more = Number(process.env['DYNAMIS_REBALANCE_SEEDS'] ?? count);
  return Array.from({ length: Number.isInteger(more) && more > 0 ? more : count }, (_, i) => base + i);
}

export interface RebalanceClusterOptions {
  readonly partitions?: number;
  readonly n?: number;
  readonly rebalance?: RebalanceOptionsInput;
  /** Per node: options replacing `rebalance` for that node. */
  readonly rebalanceOf?: (id: NodeId) => RebalanceOptionsInput | undefined;
  /** 'memory' (default) or 'lsm' (on the simulated disk: its data survives crashNode/restart). */
  readonly engine?: 'memory' | 'lsm';
  /** Options of the lsm engine beyond the defaults here (fsync 'none', 64 KiB memtables). */
  readonly lsm?: LsmOptions;
}

const member = (id: NodeId): Member => ({ id, address: id, status: 'up' });

/** Nodes of `sim` with quorum (N=3, W=R=2), ring, memory engine, LWW, a scripted membership each and the rebalancer. */
export async function rebalanceCluster(sim: Simulation, options: RebalanceClusterOptions = {}) {
  const n = options.n ?? 3;
  const nodes = new Map<NodeId, DynamisNode>();
  const views = new Map<NodeId, ScriptedMembership>();
  const compose = async (id: NodeId, members: readonly Member[]): Promise<void> => {
    const view = new ScriptedMembership(id, members);
    view.onLeave = () => {
      for (const v of views.values()) v.setStatus(id, 'left');
    };
    views.set(id, view);
    const node = await createNode({ nodeId: id, dataDir: `/data/${id}`, log: { level: 'silent' }, replication: { n, w: 2, r: 2 } }, [
      simulatedEnvironment(sim, id),
      options.engine === 'lsm' ? lsmEngine({ fsync: 'none', memtableBytes: 64 * 1024, ...options.lsm }) : memoryEngine(),
      lwwResolver(),
      ringPartitioner({ partitions: options.partitions ?? 64 }),
      scriptedMembership(view),
      quorumCoordinator(),
      rebalance(options.rebalanceOf?.(id) ?? options.rebalance ?? {}),
    ]);
    await node.start();
    nodes.set(id, node);
  };
  const initial = sim.nodeIds().map(member);
  for (const m of initial) await compose(m.id, initial);
  const node = (id: NodeId): DynamisNode => nodes.get(id)!;
  const rebalancer = (id: NodeId) => node(id).resolve(RebalancerToken) as PartitionRebalancer;
  const placement = (id: NodeId) => node(id).resolve(PartitionerToken).placement();
  return {
    sim,
    n,
    node,
    rebalancer,
    placement,
    view: (id: NodeId) => views.get(id)!,
    coordinator: (id: NodeId) => node(id).resolve(CoordinatorToken),
    replica: (id: NodeId) => node(id).resolve(ReplicaToken),
    /** Ids of the nodes composed so far. */
    ids: () => [...nodes.keys()],
    /**
     * Adds node `id` to the simulation, composes it knowing every current
     * member, then tells the others — except those in `late`, which the
     * caller tells later with `tell(id, node)`.
     */
    join: async (id: NodeId, late: readonly NodeId[] = []): Promise<void> => {
      sim.addNode(id);
      const members = views.values().next().value!.members();
      await compose(id, [...members, member(id)]);
      for (const [other, view] of views) if (other !== id && !late.includes(other)) view.add(member(id));
    },
    /** Crashes `id` (a process crash: its disk keeps what was written); the others' views still list it up. */
    crash: (id: NodeId): void => {
      sim.crashNode(id);
      nodes.delete(id);
    },
    /** Restarts crashed `id` over its disk, knowing the members another node knows but those in `omit` (`tell` adds them). */
    restart: async (id: NodeId, omit: readonly NodeId[] = []): Promise<void> => {
      const other = [...views.keys()].find((x) => x !== id)!;
      const members = views
        .get(other)!
        .members()
        .filter((m) => !omit.includes(m.id));
      await sim.restartNode(id, () => compose(id, members));
    },
    /** Tells `node` that `joined` joined (after a `join(joined, [node])`). */
    tell: (joined: NodeId, node: NodeId): void => views.get(node)!.add(member(joined)),
    /** Marks `id` left in every view (it keeps running, so it can stream out and then drop its data). */
    leave: (id: NodeId): void => {
      for (const view of views.values()) view.setStatus(id, 'left');
    },
    /** True when every node in `ids` routes by the same placement (its partitioner's current one), is settled, and holds nothing it no longer replicates. */
    quiet: (ids: readonly NodeId[]): boolean => {
      const hashes = new Set(ids.flatMap((id) => [rebalancer(id).progress().placementHash, placement(id).hash]));
      return hashes.size === 1 && ids.every((id) => rebalancer(id).progress().settled && rebalancer(id).progress().toDrop === 0);
    },
    /** Record bytes of one copy of the data: every partition read on the first of its replicas (recordBytes). */
    oneCopyBytes: async (via: NodeId): Promise<number> => {
      const c = placement(via);
      let bytes = 0;
      for (const { id } of c.partitions) {
        for await (const [key, siblings] of node(c.preferenceList(id, n)[0]!).resolve(ReplicaToken).scan(id))
          bytes += recordBytes(key, siblings);
      }
      return bytes;
    },
    stop: async () => {
      for (const n of nodes.values()) await n.stop();
    },
  };
}

export type RebalanceCluster = Awaited<ReturnType<typeof rebalanceCluster>>;
