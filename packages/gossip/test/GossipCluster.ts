import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { createNode, MembershipToken, type DynamisNode, type NodeId } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { simulatedEnvironment, type Simulation } from '@dynamis/testkit';
import { gossipMembership, type GossipMembership, type GossipOptionsInput } from '../src';

export interface Seen {
  readonly at: number;
  readonly event: 'up' | 'down' | 'joined' | 'left';
  readonly member: NodeId;
}

/** Gossip nodes in one Simulation, with every event each one fired. */
export class GossipCluster {
  readonly nodes = new Map<NodeId, DynamisNode>();
  readonly seen = new Map<NodeId, Seen[]>();

  constructor(
    readonly sim: Simulation,
    readonly options: GossipOptionsInput,
  ) {}

  /** Composes and starts node `id` with `seeds` (`id@host:port`). */
  async start(id: NodeId, seeds: readonly string[]): Promise<GossipMembership> {
    const node = await createNode({ nodeId: id, seeds: [...seeds], log: { level: 'silent' } }, [
      simulatedEnvironment(this.sim, id),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
      gossipMembership(this.options),
    ]);
    const m = node.resolve(MembershipToken) as GossipMembership;
    const seen: Seen[] = [];
    this.seen.set(id, seen);
    for (const event of ['up', 'down', 'joined', 'left'] as const)
      m.on(event, (member) => seen.push({ at: this.sim.now(), event, member: member.id }));
    await node.start();
    this.nodes.set(id, node);
    this.memberships.set(id, m);
    return m;
  }

  private readonly memberships = new Map<NodeId, GossipMembership>();

  m(id: NodeId): GossipMembership {
    return this.memberships.get(id)!;
  }

  /** Running nodes (not crashed). */
  live(): NodeId[] {
    return [...this.nodes.keys()].filter((id) => !this.sim.isCrashed(id));
  }

  /** True when every running node holds `member` with status `status` (gossip status). */
  allSee(member: NodeId, status: string, observers = this.live()): boolean {
    return observers.every((o) => o === member || this.m(o).entry(member)?.status === status);
  }

  /** One view: every running node holds the same (id, status, incarnation) for every member. */
  converged(observers = this.live()): boolean {
    const key = (o: NodeId): string =>
      this.m(o)
        .members()
        .filter((m) => m.status !== 'joining')
        .map((m) => `${m.id}:${this.m(o).entry(m.id)?.status}:${this.m(o).entry(m.id)?.incarnation}`)
        .sort()
        .join(',');
    const first = key(observers[0]!);
    return observers.every((o) => key(o) === first);
  }

  events(observer: NodeId, member: NodeId): string[] {
    return this.seen
      .get(observer)!
      .filter((s) => s.member === member)
      .map((s) => s.event);
  }

  async crash(id: NodeId): Promise<void> {
    this.sim.crashNode(id);
    this.nodes.delete(id);
    this.memberships.delete(id);
  }

  async stopAll(): Promise<void> {
    for (const node of this.nodes.values()) await node.stop();
  }
}

/** `n1@10.0.0.1:7070`, … for ids. */
export function seedList(ids: readonly NodeId[]): string[] {
  return ids.map((id, i) => `${id}@10.0.${Math.floor(i / 250)}.${(i % 250) + 1}:7070`);
}
