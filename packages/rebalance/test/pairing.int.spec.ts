import { describe, expect, it } from '@jest/globals';
import type { NodeId } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { rebalanceCluster } from './simCluster';

/*
 * Why a gaining node pulls from the holder it replaces: old replicas differ
 * (writes at W=2 while one replica was cut off; no anti-entropy, no reads,
 * so nothing repairs them). n4 joins; for every partition it replaces one
 * old replica L, and must inherit L's copy: then every key that was on W=2
 * old replicas is on W=2 of the new ones (checked on each replica's own
 * copy). Pulling from another old replica would leave keys that only L and
 * one other held on a single new replica.
 */
describe('rebalance: the gaining node inherits the copy of the node it replaces', () => {
  it('every key written at W=2 is on 2 new replicas after a join, though the old replicas differed', async () => {
    await runSimulation({ seed: 1900, nodes: ['n1', 'n2', 'n3'] }, async (sim) => {
      const c = await rebalanceCluster(sim, { partitions: 32, rebalance: { announceIntervalMs: 100, drainMs: 200 } });
      await sim.runUntil(() => c.quiet(['n1', 'n2', 'n3']), 60_000);
      const ids: NodeId[] = ['n1', 'n2', 'n3'];
      const keys: string[] = [];
      for (const cut of ids) {
        const rest = ids.filter((id) => id !== cut);
        sim.network.partition([rest, [cut]]);
        for (let i = 0; i < 150; i++) {
          const key = `${cut}-cut-${i}`;
          await sim.settle(c.coordinator(rest[i % 2]!).put(key, Buffer.from(key), { timeoutMs: 500 }));
          keys.push(key);
        }
        sim.network.heal();
        await sim.runFor(1000);
      }
      const copies = async (key: string, on: readonly NodeId[]): Promise<number> => {
        const records = await Promise.all(on.map((id) => c.replica(id).read(key)));
        return records.filter((r) => r.length > 0).length;
      };
      const before = c.placement('n1');
      let single = 0;
      for (const key of keys) if ((await copies(key, before.preferenceList(key, 3))) < 3) single++;
      expect(single).toBe(keys.length); // every key missed one old replica

      await sim.settle(c.join('n4'));
      await sim.runUntil(() => c.quiet(['n1', 'n2', 'n3', 'n4']), 120_000);
      expect(c.quiet(['n1', 'n2', 'n3', 'n4'])).toBe(true);
      const after = c.placement('n4');
      const short: string[] = [];
      for (const key of keys) {
        const n = await copies(key, after.preferenceList(key, 3));
        if (n < 2) short.push(`${key}: ${n} on ${after.preferenceList(key, 3).join(',')}`);
      }
      expect(short).toEqual([]);
      await c.stop();
    });
  }, 300_000);
});
