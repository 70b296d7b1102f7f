import { afterAll, describe, expect, it } from '@jest/globals';
import { runSimulation } from '@dynamis/testkit';
import { gossipBounds } from '../src';
import { formCluster, nodeIds, runUntilPolled, simSeeds, summary } from './simSupport';

const N = 64;
const OPTS = {}; // the defaults: syncIntervalMs 5000
const BOUNDS = gossipBounds(N, OPTS);
/** README "Guarantees": after a heal, one view within 2 sync intervals + 2 suspicion periods + 2·log2(n)+4 rounds (w.h.p.). */
const HEAL_MS = 2 * 5000 + 2 * BOUNDS.suspicionMs + (2 * Math.log2(N) + 4) * 200;
const SEEDS = simSeeds([1]);
const healTimes: number[] = [];

describe(`gossip, ${N} nodes: a 32|32 partition`, () => {
  it.each(SEEDS)(
    'seed %i: each side marks the other down; after the heal every node converges to one view',
    (seed) =>
      runSimulation({ seed, nodes: nodeIds(N), trace: false }, async (sim) => {
        const ids = nodeIds(N);
        const left = ids.slice(0, N / 2);
        const right = ids.slice(N / 2);
        const c = await formCluster(sim, ids, OPTS);
        sim.network.partition([left, right]);
        const cut = (): boolean =>
          left.every((a) => right.every((b) => !c.m(a).isAlive(b) && !c.m(b).isAlive(a))) &&
          left.every((a) => left.every((b) => c.m(a).isAlive(b))) &&
          right.every((a) => right.every((b) => c.m(a).isAlive(b)));
        await runUntilPolled(sim, cut, BOUNDS.detectionMs, 200);
        const mark = sim.now();
        sim.network.heal();
        const one = (): boolean => c.converged() && ids.every((id) => c.allSee(id, 'alive'));
        await runUntilPolled(sim, one, HEAL_MS, 100);
        healTimes.push(sim.now() - mark);
        await sim.runFor(BOUNDS.suspicionMs); // and it stays so
        expect(one()).toBe(true);
        // After the heal: the other side comes up once, and no one goes down.
        for (const o of ids) {
          const since = c.seen.get(o)!.filter((s) => s.at >= mark && s.event !== 'joined');
          const otherSide = left.includes(o) ? right : left;
          expect({ o, downs: since.filter((s) => s.event === 'down' || s.event === 'left') }).toEqual({ o, downs: [] });
          expect({ o, ups: since.filter((s) => s.event === 'up').length }).toEqual({ o, ups: otherSide.length });
        }
        await c.stopAll();
      }),
    300_000,
  );

  afterAll(() => {
    if (healTimes.length === 0) return;
    console.log(
      `${N} nodes, 32|32 partition healed (${healTimes.length} seeds): ms to one view: ${summary(healTimes)} (bound ${HEAL_MS} ms)`,
    );
  });
});
