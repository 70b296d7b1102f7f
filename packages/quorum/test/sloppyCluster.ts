import { lwwResolver } from '@dynamis/conflict-lww';
import {
  CoordinatorToken,
  createNode,
  HintStoreToken,
  ReplicaToken,
  type DynamisNode,
  type HintStore,
  type NodeId,
  type Sibling,
} from '@dynamis/core';
import { lsmEngine } from '@dynamis/engine-lsm';
import { hintedHandoff, type HintedHandoffOptionsInput } from '@dynamis/hinted-handoff';
import { RingPartitioner, ringPartitioner } from '@dynamis/ring';
import { simulatedEnvironment, type Simulation, FixedMembership, fixedMembership } from '@dynamis/testkit';
import { quorumCoordinator, type QuorumCoordinator } from '../src';

const PARTITIONS = 64;

/**
 * Nodes of `sim` with the quorum coordinator (config `sloppyQuorum: true`),
 * hinted handoff, the LSM engine on each node's simulated disk (hints and
 * replicas survive a crash), LWW and a fixed membership view per node whose
 * liveness follows `crash`/`restart`. `placement` is the ring every node computes.
 */
export async function sloppyCluster(sim: Simulation, n: number, handoff: HintedHandoffOptionsInput = {}) {
  const ids = sim.nodeIds();
  const members = ids.map((id) => ({ id, address: id, status: 'up' as const }));
  const placement = new RingPartitioner({ partitions: PARTITIONS }).update(members);
  const nodes = new Map<NodeId, DynamisNode>();
  const views = new Map<NodeId, FixedMembership>();
  const alive = new Set(ids);

  async function compose(id: NodeId): Promise<DynamisNode> {
    const view = new FixedMembership(id, members);
    for (const other of ids) if (!alive.has(other)) view.setAlive(other, false);
    const node = await createNode({ nodeId: id, log: { level: 'silent' }, replication: { n, w: 2, r: 2, sloppyQuorum: true } }, [
      simulatedEnvironment(sim, id),
      lsmEngine({ fsync: 'none', memtableBytes: 16 * 1024 }),
      lwwResolver(),
      ringPartitioner({ partitions: PARTITIONS }),
      fixedMembership(view),
      quorumCoordinator(),
      hintedHandoff({ checkIntervalMs: 1000, batchSize: 16, ...handoff }),
    ]);
    await node.start();
    nodes.set(id, node);
    views.set(id, view);
    return node;
  }
  for (const id of ids) await compose(id);

  const node = (id: NodeId): DynamisNode => nodes.get(id)!;
  const live = (): NodeId[] => ids.filter((id) => !sim.isCrashed(id));
  const setAlive = (id: NodeId, up: boolean): void => {
    if (up) alive.add(id);
    else alive.delete(id);
    for (const other of live()) if (other !== id) views.get(other)!.setAlive(id, up);
  };

  /** Runs virtual time until `p` settles; resolves or rejects like it. */
  function run<T>(p: Promise<T>): Promise<T> {
    return sim.settle(p);
  }

  return {
    ids,
    placement,
    live,
    run,
    isAlive: (id: NodeId): boolean => alive.has(id),
    coordinator: (id: NodeId) => node(id).resolve(CoordinatorToken) as QuorumCoordinator,
    hints: (id: NodeId): HintStore => node(id).resolve(HintStoreToken),
    /** `id`'s own stored record of `key` (its local Replica). */
    stored: (id: NodeId, key: string): Promise<Sibling[]> => node(id).resolve(ReplicaToken).read(key),
    /** Crashes `id` and marks it down in every live view. */
    crash: (id: NodeId): void => {
      sim.crashNode(id);
      setAlive(id, false);
    },
    /** Restarts crashed `id` over its disk and marks it up in every live view. */
    restart: async (id: NodeId): Promise<void> => {
      alive.add(id);
      await sim.restartNode(id, () => compose(id));
      setAlive(id, true);
    },
    stop: async () => {
      for (const id of live()) await node(id).stop();
    },
  };
}

export type SloppyCluster = Awaited<ReturnType<typeof sloppyCluster>>;
