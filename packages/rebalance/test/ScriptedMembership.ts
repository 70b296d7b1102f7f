import {
  definePlugin,
  MembershipToken,
  type Member,
  type Membership,
  type MembershipEvents,
  type MemberStatus,
  type NodeId,
  type Plugin,
  type Unsubscribe,
} from '@dynamis/core';

/**
 * Test double of Membership for joins and leaves: one per node, the test
 * changes each node's view when it wants that node to learn (so views may
 * differ for a while). `add` fires `joined`; `setStatus(id, 'left')` fires
 * `left` (the ring then drops the node from the placement); `leave()`
 * calls `onLeave` (the cluster marks the node left in every view). A member
 * is alive unless it left.
 */
export class ScriptedMembership implements Membership {
  private readonly list = new Map<NodeId, Member>();
  private readonly listeners = new Map<string, Set<(m: Member) => void>>();
  /** What leave() does: set by the test cluster. */
  onLeave: () => void = () => undefined;

  constructor(
    readonly self: NodeId,
    members: readonly Member[],
  ) {
    for (const m of members) this.list.set(m.id, m);
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async join(): Promise<void> {}
  async leave(): Promise<void> {
    this.onLeave();
  }

  members(): Member[] {
    return [...this.list.values()];
  }

  member(id: NodeId): Member | undefined {
    return this.list.get(id);
  }

  isAlive(id: NodeId): boolean {
    const m = this.list.get(id);
    return m !== undefined && m.status !== 'left';
  }

  add(member: Member): void {
    this.list.set(member.id, member);
    this.emit('joined', member);
  }

  setStatus(id: NodeId, status: MemberStatus): void {
    const m = { ...this.list.get(id)!, status };
    this.list.set(id, m);
    this.emit(status === 'left' ? 'left' : 'up', m);
  }

  on<E extends keyof MembershipEvents & string>(event: E, listener: (payload: MembershipEvents[E]) => void): Unsubscribe {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    const l = listener as (m: Member) => void;
    set.add(l);
    return () => void set.delete(l);
  }

  private emit(event: string, m: Member): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) l(m);
  }
}

export function scriptedMembership(m: ScriptedMembership): Plugin {
  return definePlugin({
    name: `test:scripted-membership(${m.self})`,
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Membership'],
    needs: [],
    register: ({ bind }) => void bind(MembershipToken).toConstantValue(m),
  });
}
