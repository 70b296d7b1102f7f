import { lwwResolver } from '@dynamis/conflict-lww';
import {
  ConflictResolverToken,
  createNode,
  HINT_MESSAGE,
  HINT_REPLY,
  hintSchemas,
  HintStoreToken,
  PeerRpcToken,
  toWireSibling,
  ReplicaClientToken,
  ReplicaToken,
  type DynamisNode,
  type NodeId,
  type Sibling,
} from '@dynamis/core';
import { localCoordinator } from '@dynamis/coordinator-local';
import { lsmEngine } from '@dynamis/engine-lsm';
import { RingPartitioner } from '@dynamis/ring';
import { seedFromEnv, simulatedEnvironment, type Simulation, FixedMembership, fixedMembership } from '@dynamis/testkit';
import { hintedHandoff, HintDeliveryToken, type EngineHintStore, type HintedHandoffOptionsInput } from '../src';

/** The seeds a simulation test runs over; DYNAMIS_SEED replays one. */
export function seeds(count: number, base: number): number[] {
  return process.env['DYNAMIS_SEED'] ? [seedFromEnv(0)] : Array.from({ length: count }, (_, i) => base + i);
}

/**
 * Nodes of `sim` with the LSM engine on their simulated disks, LWW, a fixed
 * membership view each (liveness set by the test) and hinted handoff. The
 * ring is computed apart (no coordinator uses it here): `placement`.
 */
export async function hintCluster(sim: Simulation, handoff: HintedHandoffOptionsInput) {
  const ids = sim.nodeIds();
  const members = ids.map((id) => ({ id, address: id, status: 'up' as const }));
  const placement = new RingPartitioner({ partitions: 64 }).update(members);
  const nodes = new Map<NodeId, DynamisNode>();
  const views = new Map<NodeId, FixedMembership>();
  /** Who every view should see alive (kept for nodes composed later). */
  const alive = new Set(ids);

  async function compose(id: NodeId): Promise<DynamisNode> {
    const view = new FixedMembership(id, members, alive);
    const node = await createNode({ nodeId: id, log: { level: 'silent' } }, [
      simulatedEnvironment(sim, id),
      lsmEngine({ fsync: 'none', memtableBytes: 16 * 1024 }),
      lwwResolver(),
      fixedMembership(view),
      localCoordinator(),
      hintedHandoff(handoff),
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
    for (const other of live()) views.get(other)!.setAlive(id, up);
  };

  return {
    ids,
    placement,
    node,
    live,
    hints: (id: NodeId) => node(id).resolve(HintStoreToken) as EngineHintStore,
    replicas: (id: NodeId) => node(id).resolve(ReplicaClientToken),
    /** What a sloppy-quorum coordinator `from` does for down primary `target`: `hints.store` on fallback `holder`. */
    storeHint: (from: NodeId, holder: NodeId, target: NodeId, key: string, siblings: readonly Sibling[]) =>
      node(from)
        .resolve(PeerRpcToken)
        .call(
          holder,
          HINT_MESSAGE.store,
          { target, key, siblings: siblings.map(toWireSibling) },
          { replySchema: hintSchemas.storeResult, replyType: HINT_REPLY.store },
        ),
    delivery: (id: NodeId) => node(id).resolve(HintDeliveryToken),
    stored: (id: NodeId, key: string): Promise<Sibling[]> => node(id).resolve(ReplicaToken).read(key),
    /** A new version of `key` stamped by `by`, holding `value`. */
    sibling: (by: NodeId, value: string): Sibling => {
      const now = sim.clock(by).now();
      return { version: node(by).resolve(ConflictResolverToken).stamp(by, undefined, [], now), value: Buffer.from(value), writtenAt: now };
    },
    /** Crashes `id` and marks it down in every live view. */
    crash: (id: NodeId): void => {
      sim.crashNode(id);
      setAlive(id, false);
    },
    /** Restarts crashed `id` over its disk and marks it up in every live view. */
    restart: async (id: NodeId): Promise<void> => {
      await sim.restartNode(id, () => compose(id));
      setAlive(id, true);
    },
    stop: async () => {
      for (const id of live()) await node(id).stop();
    },
  };
}

export type HintCluster = Awaited<ReturnType<typeof hintCluster>>;
