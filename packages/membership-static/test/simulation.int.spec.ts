import { describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { createNode, MembershipToken, type DynamisNode, type NodeId } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { runSimulation, seedFromEnv, simulatedEnvironment, type Simulation } from '@dynamis/testkit';
import { staticMembership } from '../src';

const IDS: NodeId[] = ['n1', 'n2', 'n3'];
const SEEDS_CONFIG = IDS.map((id, i) => `${id}@10.0.0.${i + 1}:7070`);
const OPTS = { pingIntervalMs: 100, pingTimeoutMs: 50, failuresBeforeDown: 3, minTransitionMs: 400 };
/** Down within this of a member going silent (README "Guarantees"). */
const DOWN_BOUND = OPTS.failuresBeforeDown * OPTS.pingIntervalMs + OPTS.pingTimeoutMs;
/** Up within this of a member answering again, damping included. */
const UP_BOUND = OPTS.pingIntervalMs + OPTS.pingTimeoutMs + OPTS.minTransitionMs;
const SEEDS = process.env['DYNAMIS_SEED'] === undefined ? [1, 2, 3, 4, 5, 6] : [seedFromEnv(0)];

interface Seen {
  readonly at: number;
  readonly event: 'up' | 'down';
  readonly member: NodeId;
}

class Cluster {
  readonly nodes = new Map<NodeId, DynamisNode>();
  /** Events each observer's Membership fired, with the virtual time. */
  readonly seen = new Map<NodeId, Seen[]>();
  constructor(private readonly sim: Simulation) {}

  async start(id: NodeId): Promise<void> {
    const node = await createNode({ nodeId: id, seeds: SEEDS_CONFIG, log: { level: 'silent' } }, [
      simulatedEnvironment(this.sim, id),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
      staticMembership(OPTS),
    ]);
    await node.start();
    const seen: Seen[] = [];
    this.seen.set(id, seen);
    const m = node.resolve(MembershipToken);
    m.on('up', (member) => seen.push({ at: this.sim.now(), event: 'up', member: member.id }));
    m.on('down', (member) => seen.push({ at: this.sim.now(), event: 'down', member: member.id }));
    this.nodes.set(id, node);
  }

  alive(observer: NodeId, member: NodeId): boolean {
    return this.nodes.get(observer)!.resolve(MembershipToken).isAlive(member);
  }

  events(observer: NodeId, member: NodeId): string[] {
    return this.seen
      .get(observer)!
      .filter((s) => s.member === member)
      .map((s) => s.event);
  }
}

async function cluster(sim: Simulation): Promise<Cluster> {
  const c = new Cluster(sim);
  for (const id of IDS) await c.start(id);
  await sim.runFor(1000);
  for (const a of IDS) for (const b of IDS) expect({ a, b, alive: c.alive(a, b) }).toEqual({ a, b, alive: true });
  for (const id of IDS) expect(c.seen.get(id)).toEqual([]);
  return c;
}

describe('static membership in the deterministic simulation', () => {
  it.each(SEEDS)('seed %i: a crashed node is down within the bound, up again after restart; one event per transition', (seed) =>
    runSimulation({ seed, nodes: IDS, network: { minDelayMs: 1, maxDelayMs: 5 } }, async (sim) => {
      const c = await cluster(sim);
      // Crash between two probe rounds, after the last ping was answered: the
      // bound then needs exactly failuresBeforeDown rounds (no in-flight ping fails early).
      await sim.runFor(OPTS.pingIntervalMs / 2);
      const crashedAt = sim.now();
      sim.network.crash('n3');
      await sim.runUntil(() => !c.alive('n1', 'n3') && !c.alive('n2', 'n3'), DOWN_BOUND);
      await sim.runFor(2000); // nothing more happens while it stays down
      for (const observer of ['n1', 'n2']) {
        expect(c.events(observer, 'n3')).toEqual(['down']);
        expect(c.seen.get(observer)!.find((s) => s.member === 'n3')!.at).toBeLessThanOrEqual(crashedAt + DOWN_BOUND);
      }
      expect(c.alive('n1', 'n2') && c.alive('n2', 'n1')).toBe(true);

      // Restart: a new node over the same endpoint.
      await c.nodes.get('n3')!.stop();
      sim.network.restart('n3');
      const restartedAt = sim.now();
      await c.start('n3');
      await sim.runUntil(() => c.alive('n1', 'n3') && c.alive('n2', 'n3'), UP_BOUND);
      await sim.runFor(2000);
      for (const observer of ['n1', 'n2']) {
        expect(c.events(observer, 'n3')).toEqual(['down', 'up']);
        expect(c.seen.get(observer)!.filter((s) => s.member === 'n3')[1]!.at).toBeLessThanOrEqual(restartedAt + UP_BOUND);
        expect(c.events(observer, observer === 'n1' ? 'n2' : 'n1')).toEqual([]);
      }
      expect(c.seen.get('n3')).toEqual([]);
      for (const id of IDS) await c.nodes.get(id)!.stop();
    }),
  );

  it.each(SEEDS)('seed %i: a partition is seen from both sides, and healing brings everyone up once', (seed) =>
    runSimulation({ seed, nodes: IDS, network: { minDelayMs: 1, maxDelayMs: 5 } }, async (sim) => {
      const c = await cluster(sim);
      sim.network.partition([['n1', 'n2'], ['n3']]);
      const cut = (): boolean => !c.alive('n1', 'n3') && !c.alive('n2', 'n3') && !c.alive('n3', 'n1') && !c.alive('n3', 'n2');
      await sim.runUntil(cut, DOWN_BOUND);
      await sim.runFor(1000);
      expect(c.alive('n1', 'n2') && c.alive('n2', 'n1')).toBe(true);
      sim.network.heal();
      await sim.runUntil(() => IDS.every((a) => IDS.every((b) => c.alive(a, b))), UP_BOUND);
      await sim.runFor(2000);
      expect(c.events('n1', 'n3')).toEqual(['down', 'up']);
      expect(c.events('n2', 'n3')).toEqual(['down', 'up']);
      expect(c.events('n3', 'n1')).toEqual(['down', 'up']);
      expect(c.events('n3', 'n2')).toEqual(['down', 'up']);
      expect(c.events('n1', 'n2')).toEqual([]);
      for (const id of IDS) await c.nodes.get(id)!.stop();
    }),
  );

  it.each(SEEDS)('seed %i: failures fewer than failuresBeforeDown in a row, between answered pings, never mark a member down', (seed) =>
    runSimulation({ seed, nodes: IDS, network: { minDelayMs: 1, maxDelayMs: 5 } }, async (sim) => {
      const c = await cluster(sim);
      for (let i = 0; i < 10; i++) {
        sim.network.isolate('n3'); // about one probe round lost each time (at most two)
        await sim.runFor(OPTS.pingIntervalMs);
        sim.network.heal();
        await sim.runFor(OPTS.pingIntervalMs * 3);
      }
      for (const id of IDS) expect(c.seen.get(id)).toEqual([]);
      for (const id of IDS) await c.nodes.get(id)!.stop();
    }),
  );

  it.each(SEEDS)('seed %i: a flapping link alternates up/down, at least minTransitionMs apart', (seed) =>
    runSimulation({ seed, nodes: IDS, network: { minDelayMs: 1, maxDelayMs: 5 } }, async (sim) => {
      const c = await cluster(sim);
      const flappy = { dropProbability: 0.6 };
      sim.network.setLinkFaults('n1', 'n3', flappy);
      sim.network.setLinkFaults('n3', 'n1', flappy);
      await sim.runFor(60_000);
      const seen = c.seen.get('n1')!.filter((s) => s.member === 'n3');
      expect(seen.length).toBeGreaterThanOrEqual(4); // the link really flaps
      seen.forEach((s, i) => {
        expect(s.event).toBe(i % 2 === 0 ? 'down' : 'up');
        if (i > 0) expect(s.at - seen[i - 1]!.at).toBeGreaterThanOrEqual(OPTS.minTransitionMs);
      });
      for (const id of IDS) await c.nodes.get(id)!.stop();
    }),
  );
});
