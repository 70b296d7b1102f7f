import { afterAll, describe, expect, it } from '@jest/globals';
import { runSimulation } from '@dynamis/testkit';
import { gossipBounds } from '../src';
import { formCluster, nodeIds, simSeeds, summary } from './simSupport';

const N = 64;
const OPTS = {}; // the defaults
const BOUNDS = gossipBounds(N, OPTS);
const LIKELY_MS = BOUNDS.likelyDetectionMs(10);
const SEEDS = simSeeds([1]);
const perObserver: number[] = [];
const perSeed: number[] = [];

describe(`gossip, ${N} nodes: one crashes`, () => {
  it.each(SEEDS)(`seed %i: it is down on every node within the documented bound, and nothing else is`, (seed) =>
    runSimulation({ seed, nodes: nodeIds(N), trace: false }, async (sim) => {
      const ids = nodeIds(N);
      const c = await formCluster(sim, ids, OPTS);
      await sim.runFor(3000);
      const victim = ids[3 + ((seed * 7) % (N - 3))]!;
      const observers = ids.filter((id) => id !== victim);
      const downAt = new Map<string, number>();
      for (const o of observers) c.m(o).on('down', (m) => void (m.id === victim && downAt.set(o, sim.now())));
      const t0 = sim.now();
      await c.crash(victim);
      await sim.runUntil(() => downAt.size === observers.length, BOUNDS.detectionMs);
      const times = [...downAt.values()].map((t) => t - t0);
      perObserver.push(...times);
      perSeed.push(Math.max(...times));
      expect(Math.max(...times)).toBeLessThanOrEqual(LIKELY_MS);
      await sim.runFor(BOUNDS.suspicionMs); // nothing more fires
      for (const o of observers) {
        expect({ o, events: c.events(o, victim).filter((e) => e !== 'joined') }).toEqual({ o, events: ['down'] });
        expect({ o, others: c.seen.get(o)!.filter((s) => s.member !== victim && s.event !== 'joined') }).toEqual({ o, others: [] });
      }
      await c.stopAll();
    }),
  );

  afterAll(() => {
    if (perSeed.length === 0) return;
    console.log(
      `${N} nodes, one crashes (${perSeed.length} seeds): ms until the last node marks it down: ${summary(perSeed)}; ` +
        `per node: ${summary(perObserver)}. Bounds: likely (some node probes it within 10 periods) ${LIKELY_MS} ms, ` +
        `worst case ${BOUNDS.detectionMs} ms; suspicion period ${BOUNDS.suspicionMs} ms.`,
    );
  });
});
