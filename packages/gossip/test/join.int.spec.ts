import { afterAll, describe, expect, it } from '@jest/globals';
import { runSimulation } from '@dynamis/testkit';
import { seedList } from './GossipCluster';
import { formCluster, histogram, nodeIds, simSeeds, summary } from './simSupport';

const N = 64;
const OPTS = {}; // the defaults: gossip round 200 ms, fanout 3
const ROUND_MS = 200;
const BOUND_ROUNDS = 2 * Math.log2(N) + 4; // 16
const SEEDS = simSeeds([1, 2]);
const perNode: number[] = [];
const perSeed: number[] = [];

describe(`gossip, ${N} nodes: one joins`, () => {
  it.each(SEEDS)(`seed %i: every node knows the newcomer within 2·log2(${N})+4 gossip rounds`, (seed) => {
    const ids = nodeIds(N + 1);
    const newcomer = ids[N]!;
    return runSimulation({ seed, nodes: ids, trace: false }, async (sim) => {
      const c = await formCluster(sim, ids.slice(0, N), OPTS);
      await sim.runFor(5000); // quiet: every piggyback queue drained
      const knownAt = new Map<string, number>();
      for (const o of ids.slice(0, N)) c.m(o).on('joined', (m) => void (m.id === newcomer && !knownAt.has(o) && knownAt.set(o, sim.now())));
      const t0 = sim.now();
      await c.start(newcomer, seedList(ids).slice(0, 3));
      await sim.runUntil(() => knownAt.size === N, BOUND_ROUNDS * ROUND_MS * 4);
      const rounds = [...knownAt.values()].map((t) => Math.ceil((t - t0) / ROUND_MS));
      perNode.push(...rounds);
      perSeed.push(Math.max(...rounds));
      expect(Math.max(...rounds)).toBeLessThanOrEqual(BOUND_ROUNDS);
      expect(c.allSee(newcomer, 'alive')).toBe(true);
      await c.stopAll();
    });
  });

  afterAll(() => {
    if (perSeed.length === 0) return;
    console.log(
      `${N} nodes, one joins (${perSeed.length} seeds): rounds until the last node knows it: ${summary(perSeed)}\n` +
        `rounds until each node knows it:\n${histogram(perNode, 'rounds')}`,
    );
  });
});
