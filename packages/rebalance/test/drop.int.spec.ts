import { describe, expect, it } from '@jest/globals';
import type { NodeId, StoreBatchOp } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { rebalanceCluster } from './simCluster';

/*
 * An old holder drops a partition only once every node of the placement is
 * settled. n4 joins; while it streams, the links between n4 and n1 go down
 * (both ways), so n1 never hears that n4 is ready and stays unsettled: no
 * node drops anything (n1 may still read from an old holder), and every old
 * holder still has its copy. Once the links are back n1 settles, and the
 * partitions n4 took over are dropped from the nodes it replaced.
 */
describe('rebalance: drop only after every member is settled', () => {
  it('keeps the old copies while one member has not seen the new replica ready', async () => {
    await runSimulation({ seed: 2000, nodes: ['n1', 'n2', 'n3'] }, async (sim) => {
      const c = await rebalanceCluster(sim, {
        partitions: 16,
        rebalance: { announceIntervalMs: 100, drainMs: 200, maxBytesInFlight: 1024, retryMs: 50 },
      });
      await sim.runUntil(() => c.quiet(['n1', 'n2', 'n3']), 60_000);
      const ops: StoreBatchOp[] = Array.from({ length: 400 }, (_, i) => ({ type: 'put', key: `k${i}`, value: Buffer.alloc(64, i) }));
      await sim.settle(c.coordinator('n1').batch(ops, {}));

      await sim.settle(c.join('n4'));
      await sim.runUntil(() => c.rebalancer('n4').progress().streaming > 0, 60_000);
      const cut = { dropProbability: 1 };
      sim.network.setLinkFaults('n1', 'n4', cut);
      sim.network.setLinkFaults('n4', 'n1', cut);
      const all: NodeId[] = ['n1', 'n2', 'n3', 'n4'];
      await sim.runUntil(() => c.rebalancer('n4').progress().pending + c.rebalancer('n4').progress().streaming === 0, 120_000);
      await sim.runFor(5000);
      expect(c.rebalancer('n4').progress().done).toBeGreaterThan(0);
      expect(c.rebalancer('n1').progress().settled).toBe(false);
      expect(all.map((id) => c.rebalancer(id).progress().dropped)).toEqual([0, 0, 0, 0]);
      const held = async (id: NodeId): Promise<number> => {
        let n = 0;
        for (const op of ops) if ((await c.replica(id).read(op.key)).length > 0) n++;
        return n;
      };
      for (const id of ['n1', 'n2', 'n3']) expect(await held(id)).toBe(ops.length); // every old copy is still there

      sim.network.setLinkFaults('n1', 'n4', undefined);
      sim.network.setLinkFaults('n4', 'n1', undefined);
      await sim.runUntil(() => c.quiet(all), 120_000);
      expect(c.quiet(all)).toBe(true);
      const now = c.placement('n1');
      for (const id of ['n1', 'n2', 'n3']) {
        const kept = ops.filter((op) => now.preferenceList(op.key, 3).includes(id)).length;
        expect({ id, held: await held(id) }).toEqual({ id, held: kept });
      }
      expect(all.reduce((n, id) => n + c.rebalancer(id).progress().dropped, 0)).toBeGreaterThan(0);
      await c.stop();
    });
  }, 300_000);
});

/*
 * A copy on a node that neither replicates nor holds its partition (here put
 * there by hand; in life a write that reached a node while it was not a
 * holder) is swept once every member is settled: no route reads it, and the
 * partition's replicas hold it in full.
 */
describe('rebalance: orphan copies are swept once all are settled', () => {
  it('deletes a record a node holds in a partition it does not replicate, and nothing its replicas hold', async () => {
    const all: NodeId[] = ['n1', 'n2', 'n3', 'n4'];
    await runSimulation({ seed: 2100, nodes: all }, async (sim) => {
      const c = await rebalanceCluster(sim, { partitions: 16, rebalance: { announceIntervalMs: 100, drainMs: 200, retryMs: 50 } });
      const placement = c.placement('n1');
      const key = Array.from({ length: 100 }, (_, i) => `orphan${i}`).find((k) => !placement.preferenceList(k, 3).includes('n1'))!;
      await sim.settle(c.coordinator('n2').put(key, Buffer.from('v'), {}));
      const owner = placement.preferenceList(key, 3)[0]!;
      const siblings = await c.replica(owner).read(key);
      expect(siblings).toHaveLength(1);
      await sim.settle(c.replica('n1').apply(key, siblings));
      expect(await c.replica('n1').read(key)).toHaveLength(1);

      await sim.runUntil(() => c.quiet(all), 120_000);
      expect(c.quiet(all)).toBe(true);
      await sim.runFor(1000);
      expect(await c.replica('n1').read(key)).toEqual([]);
      for (const id of placement.preferenceList(key, 3)) expect(await c.replica(id).read(key)).toHaveLength(1);
      await c.stop();
    });
  }, 300_000);
});
