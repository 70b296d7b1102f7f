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
 * Test double of the Membership port: a fixed member list (shared by every
 * node of a test, or one per node) with liveness the test sets. `setAlive`
 * fires `up`/`down` only on a change; `add` adds a live member and fires
 * `joined`. No network, no timers: what the test says is the truth.
 */
export class FixedMembership implements Membership {
  private readonly alive: Set<NodeId>;
  private readonly list: Member[];
  private readonly listeners = new Map<string, Set<(m: Member) => void>>();

  /** `alive`: the members believed alive at first (default: all of them). */
  constructor(
    readonly self: NodeId,
    list: readonly Member[],
    alive: Iterable<NodeId> = list.map((m) => m.id),
  ) {
    this.list = [...list];
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

  /** Adds a member (alive) and fires `joined`. */
  add(member: Member): void {
    this.list.push(member);
    this.alive.add(member.id);
    for (const l of [...(this.listeners.get('joined') ?? [])]) l(member);
  }

  /** Marks `id` alive or not; fires `up`/`down` when that changes its state. */
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

/** A plugin providing `membership` as the node's Membership port. */
export function fixedMembership(membership: FixedMembership): Plugin {
  return definePlugin({
    name: `@dynamis/testkit:fixed-membership(${membership.self})`,
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Membership'],
    needs: [],
    register: ({ bind }) => {
      bind(MembershipToken).toConstantValue(membership);
    },
  });
}
