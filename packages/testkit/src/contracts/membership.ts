import { describe, expect, it } from '@jest/globals';
import type { FailureDetector, Member, Membership, NodeId } from '@dynamis/core';
import { runSimulation } from '../sim/runSimulation';
import { seedFromEnv } from '../sim/seedFromEnv';
import type { Simulation } from '../sim/Simulation';

/** One started node as the factory returns it. */
export interface MembershipNode {
  readonly membership: Membership;
  /** The node's FailureDetector when the plugin provides one (checked against the Membership). */
  readonly failureDetector?: FailureDetector;
  /** Stops the node (the suite calls it at the end of each case, for nodes not crashed). */
  stop(): Promise<void>;
}

export interface MembershipContractOptions {
  /** Nodes in the simulation, named n1..nK (default 5, at least 3). */
  readonly nodes?: number;
  /** Simulation seed (default 1; DYNAMIS_SEED replays a printed failing seed). */
  readonly seed?: number;
  /** Virtual ms within which a freshly started cluster shows every node up on every node. */
  readonly convergeWithinMs: number;
  /** Virtual ms within which a crashed node is down on every other node (the plugin's documented bound). */
  readonly downWithinMs: number;
  /** Virtual ms within which a restarted node is up again on every node (damping included). */
  readonly upWithinMs: number;
  /**
   * What the plugin does (abstract-level's `supports`): `leave` — a graceful
   * leave() ends as 'left' on every other node, with one `left` event each,
   * within `leaveWithinMs`; `joinedEvents` — a node that joins later fires
   * `joined` once on every node.
   */
  readonly supports?: { readonly leave?: boolean; readonly joinedEvents?: boolean };
  /** Virtual ms for a graceful leave to be seen everywhere (with supports.leave; default upWithinMs). */
  readonly leaveWithinMs?: number;
}

type Event = 'up' | 'down' | 'joined' | 'left';

/** A cluster under test: the nodes, and every event each observer fired (with the virtual time). */
class Ctx {
  readonly nodes = new Map<NodeId, MembershipNode>();
  /** Events per observer, each with its place in the order of all events (`seq`). */
  readonly seen = new Map<NodeId, { seq: number; event: Event; member: NodeId }[]>();
  private seq = 0;

  constructor(
    readonly sim: Simulation,
    readonly ids: readonly NodeId[],
    readonly seeds: readonly string[],
    private readonly factory: MembershipContractFactory,
  ) {}

  async start(id: NodeId): Promise<void> {
    const node = await this.factory(this.sim, id, this.seeds);
    const seen = this.seen.get(id) ?? [];
    this.seen.set(id, seen);
    for (const event of ['up', 'down', 'joined', 'left'] as const)
      node.membership.on(event, (m: Member) => seen.push({ seq: this.seq++, event, member: m.id }));
    this.nodes.set(id, node);
  }

  m(id: NodeId): Membership {
    return this.nodes.get(id)!.membership;
  }

  running(): NodeId[] {
    return this.ids.filter((id) => this.nodes.has(id));
  }

  /** Every running observer (but `member` itself) reports `member` with `status`; isAlive agrees. */
  everywhere(member: NodeId, status: Member['status'], observers = this.running()): boolean {
    return observers
      .filter((o) => o !== member)
      .every((o) => this.m(o).member(member)?.status === status && this.m(o).isAlive(member) === (status === 'up' || status === 'leaving'));
  }

  /** A mark in the order of events: `events(…, since)` counts only those fired after it. */
  mark(): number {
    return this.seq;
  }

  /** The `member` events (of `kinds`) that `observer` fired after the mark `since`. */
  events(observer: NodeId, member: NodeId, since: number, kinds: readonly Event[] = ['up', 'down', 'left']): Event[] {
    return (this.seen.get(observer) ?? [])
      .filter((s) => s.member === member && s.seq >= since && kinds.includes(s.event))
      .map((s) => s.event);
  }

  crash(id: NodeId): void {
    this.sim.crashNode(id);
    this.nodes.delete(id);
  }

  async stopAll(): Promise<void> {
    for (const node of this.nodes.values()) await node.stop();
    this.nodes.clear();
  }
}

/**
 * Composes and starts node `id` of `sim` (SimTransport, virtual clock) with
 * the config's `seeds` set to `seeds` (every node of the suite as
 * `id@10.0.0.i:7070`), and returns its Membership (and FailureDetector).
 * Called again for a restart, inside `sim.restartNode`.
 */
export type MembershipContractFactory = (sim: Simulation, id: NodeId, seeds: readonly string[]) => Promise<MembershipNode>;

/**
 * The Membership/FailureDetector contract suite over a simulated cluster the
 * suite owns. Call it at the top level of a spec file:
 * `membershipContract('gossip', (sim, id, seeds) => startNode(sim, id, seeds), { convergeWithinMs, downWithinMs, upWithinMs })`.
 * Checks: members converge (every node up on every node, isAlive agreeing,
 * one member list); a crashed node is down on every node within
 * `downWithinMs` with exactly one `down` event each and no event about the
 * others; restarted, it is up everywhere within `upWithinMs` with exactly
 * one `up` each; unknown ids are not alive; a FailureDetector agrees with
 * the Membership; with `supports.leave`, a graceful leave ends as 'left'
 * everywhere (one `left` each, never `down`); with `supports.joinedEvents`,
 * a late joiner fires `joined` once on every node.
 */
export function membershipContract(name: string, factory: MembershipContractFactory, options: MembershipContractOptions): void {
  const k = Math.max(3, options.nodes ?? 5);
  const ids = Array.from({ length: k }, (_, i) => `n${i + 1}`);
  const seeds = ids.map((id, i) => `${id}@10.0.0.${i + 1}:7070`);

  const withCluster =
    (body: (c: Ctx) => Promise<void>, started: readonly NodeId[] = ids) =>
    async (): Promise<void> => {
      await runSimulation({ seed: seedFromEnv(options.seed ?? 1), nodes: ids }, async (sim) => {
        const c = new Ctx(sim, ids, seeds, factory);
        try {
          for (const id of started) await c.start(id);
          await sim.runUntil(() => started.every((id) => c.everywhere(id, 'up')), options.convergeWithinMs);
          await body(c);
        } finally {
          await c.stopAll();
        }
      });
    };

  describe(`Membership contract: ${name}`, () => {
    it(
      'members converge: every node lists every node up, isAlive agrees, one member list; no down event',
      withCluster(async (c) => {
        await c.sim.runFor(options.downWithinMs); // stays so
        for (const o of ids) {
          expect(
            c
              .m(o)
              .members()
              .map((m) => m.id)
              .sort(),
          ).toEqual([...ids].sort());
          expect(c.m(o).self).toBe(o);
          expect(c.m(o).isAlive(o)).toBe(true);
          for (const id of ids) expect({ o, id, status: c.m(o).member(id)?.status }).toEqual({ o, id, status: 'up' });
          expect(c.seen.get(o)!.filter((s) => s.event === 'down' || s.event === 'left')).toEqual([]);
          expect(c.m(o).isAlive('no-such-node')).toBe(false);
          expect(c.m(o).member('no-such-node')).toBeUndefined();
        }
      }),
    );

    it(
      'a crashed node is down on every node within the bound, one down event each; restarted, it is up again, one up event each',
      withCluster(async (c) => {
        const victim = ids[k - 1]!;
        const others = ids.filter((id) => id !== victim);
        const crashedAt = c.mark();
        c.crash(victim);
        await c.sim.runUntil(() => c.everywhere(victim, 'down'), options.downWithinMs);
        await c.sim.runFor(options.downWithinMs); // stays down, nothing more fires
        expect(c.everywhere(victim, 'down')).toBe(true);
        for (const o of others) {
          expect({ o, events: c.events(o, victim, crashedAt) }).toEqual({ o, events: ['down'] });
          for (const other of others) expect({ o, other, events: c.events(o, other, 0) }).toEqual({ o, other, events: [] });
          const fd = c.nodes.get(o)!.failureDetector;
          if (fd !== undefined) {
            expect(fd.isAlive(victim)).toBe(false);
            expect(fd.suspicion(victim)).toBeGreaterThan(0);
            expect(fd.isAlive(others.find((x) => x !== o)!)).toBe(true);
            expect(fd.suspicion(others.find((x) => x !== o)!)).toBe(0);
          }
        }
        const restartedAt = c.mark();
        await c.sim.restartNode(victim, () => c.start(victim));
        await c.sim.runUntil(() => c.everywhere(victim, 'up') && others.every((o) => c.everywhere(o, 'up')), options.upWithinMs);
        await c.sim.runFor(options.downWithinMs);
        for (const o of others) expect({ o, events: c.events(o, victim, restartedAt) }).toEqual({ o, events: ['up'] });
        for (const o of others) expect({ o, events: c.events(victim, o, restartedAt, ['down', 'left']) }).toEqual({ o, events: [] });
      }),
    );

    if (options.supports?.leave === true) {
      it(
        "a graceful leave ends as 'left' on every node, one left event each and no down",
        withCluster(async (c) => {
          const leaver = ids[0]!;
          const others = ids.filter((id) => id !== leaver);
          const since = c.mark();
          let done = false;
          void c
            .m(leaver)
            .leave()
            .then(() => (done = true));
          await c.sim.runUntil(() => done && c.everywhere(leaver, 'left', others), options.leaveWithinMs ?? options.upWithinMs);
          await c.nodes.get(leaver)!.stop();
          c.nodes.delete(leaver);
          await c.sim.runFor(options.downWithinMs); // stopped after leaving: stays left, never down
          for (const o of others) {
            expect({ o, status: c.m(o).member(leaver)?.status, alive: c.m(o).isAlive(leaver) }).toEqual({
              o,
              status: 'left',
              alive: false,
            });
            expect({ o, events: c.events(o, leaver, since, ['up', 'down', 'left', 'joined']) }).toEqual({ o, events: ['left'] });
          }
        }),
      );
    }

    if (options.supports?.joinedEvents === true) {
      it(
        'a node started later joins: joined fires once on every node, and it sees every node up',
        withCluster(
          async (c) => {
            const late = ids[k - 1]!;
            const since = c.mark();
            await c.start(late);
            await c.sim.runUntil(() => ids.every((id) => c.everywhere(id, 'up')), options.upWithinMs);
            await c.sim.runFor(options.downWithinMs);
            for (const o of ids.filter((id) => id !== late)) {
              expect({ o, events: c.events(o, late, since, ['joined', 'up', 'down', 'left']) }).toEqual({ o, events: ['joined'] });
            }
          },
          ids.slice(0, k - 1),
        ),
      );
    }
  });
}
