import {
  definePlugin,
  MembershipToken,
  type Member,
  type Membership,
  type MembershipEvents,
  type NodeId,
  type Plugin,
  type Unsubscribe,
} from '@dynamis/core';

/**
 * Test double of the Membership port: a fixed member list with liveness the
 * test sets (`setAlive`), firing `up`/`down` on a change.
 */
export class FixedMembership implements Membership {
  private readonly alive: Set<NodeId>;
  private readonly listeners = new Map<string, Set<(m: Member) => void>>();

  constructor(
    readonly self: NodeId,
    private readonly list: readonly Member[],
    alive: Iterable<NodeId> = list.map((m) => m.id),
  ) {
    this.alive = new Set(alive);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async join(): Promise<void> {}
  async leave(): Promise<void> {}
  members(): Member[] {
    return [...this.list];
  }
  member(id: NodeId): Member | undefined {
    return this.list.find((m) => m.id === id);
  }
  isAlive(id: NodeId): boolean {
    return this.alive.has(id);
  }

  setAlive(id: NodeId, alive: boolean): void {
    if (this.alive.has(id) === alive) return;
    if (alive) this.alive.add(id);
    else this.alive.delete(id);
    const member = this.member(id);
    if (member !== undefined) for (const l of [...(this.listeners.get(alive ? 'up' : 'down') ?? [])]) l(member);
  }

  on<E extends keyof MembershipEvents & string>(event: E, listener: (payload: MembershipEvents[E]) => void): Unsubscribe {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    const l = listener as (m: Member) => void;
    set.add(l);
    return () => void set.delete(l);
  }
}

/** A plugin providing `membership` as the node's Membership. */
export function fixedMembership(membership: FixedMembership): Plugin {
  return definePlugin({
    name: `test:fixed-membership(${membership.self})`,
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Membership'],
    needs: [],
    register: ({ bind }) => {
      bind(MembershipToken).toConstantValue(membership);
    },
  });
}
