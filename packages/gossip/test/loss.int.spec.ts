import { afterAll, describe, expect, it } from '@jest/globals';
import { runSimulation } from '@dynamis/testkit';
import { gossipBounds } from '../src';
import { formCluster, nodeIds, simSeeds, summary } from './simSupport';

const N = 64;
const OPTS = {}; // the defaults
const S = gossipBounds(N, OPTS).suspicionMs;
const RUN_MS = Number(process.env['GOSSIP_LOSS_MS'] ?? 30_000);
const SEEDS = simSeeds([1]);
const falseDowns: number[] = [];
let suspicions = 0;
let refutations = 0;

describe(`gossip, ${N} nodes, 10% message loss, nobody fails`, () => {
  it.each(SEEDS)(
    `seed %i: every false down-marking is undone within one suspicion period`,
    (seed) =>
      runSimulation({ seed, nodes: nodeIds(N), trace: false }, async (sim) => {
        const ids = nodeIds(N);
        const c = await formCluster(sim, ids, OPTS);
        const t0 = sim.now();
        sim.network.setFaults({ dropProbability: 0.1 });
        await sim.runFor(RUN_MS);
        sim.network.setFaults({ dropProbability: 0 });
        const tEnd = sim.now();
        await sim.runFor(S * 2); // let the last ones be undone
        const lasting: unknown[] = []; // false downs that outlived one suspicion period
        for (const o of ids) {
          const seen = c.seen.get(o)!.filter((s) => s.at >= t0 && (s.event === 'down' || s.event === 'up'));
          for (const down of seen.filter((s) => s.event === 'down' && s.at <= tEnd)) {
            const up = seen.find((s) => s.event === 'up' && s.member === down.member && s.at > down.at);
            const lasted = up === undefined ? Infinity : up.at - down.at;
            falseDowns.push(lasted);
            if (lasted > S) lasting.push({ observer: o, member: down.member, at: down.at, lasted });
          }
        }
        expect(lasting).toEqual([]);
        for (const id of ids) {
          suspicions += c.m(id).stats().failedProbes;
          refutations += c.m(id).stats().refutations;
        }
        expect(ids.every((id) => c.allSee(id, 'alive'))).toBe(true);
        await c.stopAll();
      }),
    300_000,
  );

  afterAll(() => {
    if (SEEDS.length === 0) return;
    console.log(
      `${N} nodes, 10% loss, ${RUN_MS} ms × ${SEEDS.length} seeds: ${suspicions} failed probes (suspicions raised), ` +
        `${refutations} refutations, ${falseDowns.length} false down-markings` +
        (falseDowns.length === 0 ? '' : ` lasting ${summary(falseDowns)} ms`) +
        ` (suspicion period ${S} ms)`,
    );
  });
});
