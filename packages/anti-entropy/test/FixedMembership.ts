import type { Member, Membership, MembershipEvents, NodeId, Plugin, Unsubscribe } from '@dynamis/core';
import { definePlugin, MembershipToken } from '@dynamis/core';

/**
 * Test double of the Membership port: a fixed member list shared by every
 * node of a test, with liveness the test sets (`setAlive`), firing up/down.
 */
export class FixedMembership implements Membership {
  private readonly alive = new Set<NodeId>();
  private readonly listeners = new Map<string, Set<(m: Member) => void>>();

  private readonly list: Member[];

  constructor(
    readonly self: NodeId,
    list: readonly Member[],
  ) {
    this.list = [...list];
    for (const m of list) this.alive.add(m.id);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  members(): Member[] {
    return [...this.list];
  }
  member(id: NodeId): Member | undefined {
    return this.list.find((m) => m.id === id);
  }
  isAlive(id: NodeId): boolean {
    return this.alive.has(id);
  }
  async join(): Promise<void> {}
  async leave(): Promise<void> {}

  /** Adds a member (alive) and fires `joined`. */
  add(member: Member): void {
    this.list.push(member);
    this.alive.add(member.id);
    for (const l of this.listeners.get('joined') ?? []) l(member);
  }

  setAlive(id: NodeId, alive: boolean): void {
    if (alive) this.alive.add(id);
    else this.alive.delete(id);
    const member = this.member(id);
    if (member !== undefined) for (const l of this.listeners.get(alive ? 'up' : 'down') ?? []) l(member);
  }

  on<E extends keyof MembershipEvents & string>(event: E, listener: (payload: MembershipEvents[E]) => void): Unsubscribe {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    const l = listener as (m: Member) => void;
    set.add(l);
    return () => set.delete(l);
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
