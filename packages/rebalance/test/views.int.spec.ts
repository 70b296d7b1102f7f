import { describe, expect, it } from '@jest/globals';
import type { StoreBatchOp } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { rebalanceCluster } from './simCluster';

/*
 * Views that differ: n4 joins, but n3 learns of it only 5 s (virtual) later.
 * Until n3 routes by the new placement its writes skip n4, so n4 must not
 * stream (a stream taken then could miss a write n3 coordinates): nothing
 * streams while n3 lags, and nothing is read from n4. Once n3 learns, n4
 * streams after drainMs, every key written meanwhile through n3 arrives,
 * and the transition settles.
 */
describe('rebalance with views that differ for a while', () => {
  it('a gaining node waits for every member to route by the new placement before it streams', async () => {
    await runSimulation({ seed: 1800, nodes: ['n1', 'n2', 'n3'] }, async (sim) => {
      const c = await rebalanceCluster(sim, { partitions: 16, rebalance: { announceIntervalMs: 100, drainMs: 200 } });
      await sim.runUntil(() => c.quiet(['n1', 'n2', 'n3']), 60_000);
      const ops: StoreBatchOp[] = Array.from({ length: 300 }, (_, i) => ({ type: 'put', key: `k${i}`, value: Buffer.from(`v${i}`) }));
      await sim.settle(c.coordinator('n1').batch(ops, {}));

      await sim.settle(c.join('n4', ['n3']));
      const lagging: string[] = [];
      for (let t = 0; t < 50; t++) {
        await sim.settle(c.coordinator('n3').put(`late${t}`, Buffer.from(`late${t}`), {}));
        await sim.runFor(100);
        const p = c.rebalancer('n4').progress();
        if (p.streaming + p.done > 0 || p.bytesMoved > 0) lagging.push(`t=${t}: ${JSON.stringify(p)}`);
      }
      expect(lagging).toEqual([]);

      c.tell('n4', 'n3');
      await sim.runUntil(() => c.quiet(['n1', 'n2', 'n3', 'n4']), 120_000);
      expect(c.quiet(['n1', 'n2', 'n3', 'n4'])).toBe(true);
      expect(c.rebalancer('n4').progress().done).toBeGreaterThan(0);
      const placement = c.placement('n4');
      const keys = [...ops.map((o) => o.key), ...Array.from({ length: 50 }, (_, t) => `late${t}`)];
      const onN4 = keys.filter((k) => placement.preferenceList(k, 3).includes('n4'));
      const held = await sim.settle(Promise.all(onN4.map((k) => c.replica('n4').read(k))));
      expect(onN4.filter((k, i) => held[i]!.length !== 1)).toEqual([]);
      await c.stop();
    });
  }, 300_000);
});
