import { afterAll, describe, expect, it } from '@jest/globals';
import { runSimulation } from '@dynamis/testkit';
import { seedList } from './GossipCluster';
import { formCluster, nodeIds, simSeeds } from './simSupport';

// Opt-in bench (npm run test:slow -- packages/gossip): gossip rounds until every node places a newcomer (`joined`:
// it verified it, README "Proof before placement"),
// per cluster size, over GOSSIP_SEEDS seeds (default 5). GOSSIP_SIZES=8,16 picks sizes. Defaults otherwise.
const SIZES = (process.env['GOSSIP_SIZES'] ?? '8,16,32,64,128,256').split(',').map(Number);
const SEEDS = simSeeds([1, 2, 3, 4, 5]);
const ROUND_MS = 200;
const rows: string[] = [];

const pct = (s: number[], q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;

describe('gossip convergence rounds vs cluster size (figures)', () => {
  it.each(SIZES)('%i nodes', async (n) => {
    const worst: number[] = [];
    const each: number[] = [];
    const worstMs: number[] = [];
    for (const seed of SEEDS) {
      const ids = nodeIds(n + 1);
      await runSimulation({ seed, nodes: ids, trace: false }, async (sim) => {
        const c = await formCluster(sim, ids.slice(0, n), {});
        await sim.runFor(5000);
        const knownAt = new Map<string, number>();
        for (const o of ids.slice(0, n)) c.m(o).on('joined', (m) => void (m.id === ids[n] && !knownAt.has(o) && knownAt.set(o, sim.now())));
        const t0 = sim.now();
        await c.start(ids[n]!, seedList(ids).slice(0, 3));
        await sim.runUntil(() => knownAt.size === n, 60_000);
        const rounds = [...knownAt.values()].map((t) => Math.ceil((t - t0) / ROUND_MS));
        each.push(...rounds);
        worst.push(Math.max(...rounds));
        worstMs.push(Math.max(...[...knownAt.values()].map((t) => t - t0)));
        await c.stopAll();
      });
    }
    worst.sort((a, b) => a - b);
    each.sort((a, b) => a - b);
    worstMs.sort((a, b) => a - b);
    const bound = 2 * Math.ceil(Math.log2(n)) + 4;
    rows.push(
      `| ${String(n).padStart(5)} | ${String(SEEDS.length).padStart(5)} | ${String(bound).padStart(11)} | ` +
        `${pct(worst, 0.5)} / ${pct(worst, 0.9)} / ${worst.at(-1)} | ${pct(each, 0.5)} / ${pct(each, 0.9)} | ${pct(worstMs, 0.5)} / ${worstMs.at(-1)} |`,
    );
    expect(worst.at(-1)).toBeLessThanOrEqual(bound);
  });

  afterAll(() => {
    console.log(
      [
        '| nodes | seeds | 2·log2(n)+4 | rounds until the last node places it (median / p90 / max) | rounds per node (median / p90) | ms until the last node places it (median / max) |',
        '| ----: | ----: | ----------: | :-------------------------------------------------------: | :----------------------------: | :---------------------------------------------: |',
        ...rows,
      ].join('\n'),
    );
  });
});
