import { describe, expect, it } from '@jest/globals';
import { partitionOfKey, type Sibling } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { seeds, simCluster } from './simCluster';

/*
 * A tombstone purged by compaction (past tombstones.graceMs) leaves the
 * Merkle tree through core's Replica.onPurged, with no restart and no
 * rebuild: a partition whose only record was purged gets the empty root on
 * every replica that compacted, and the replicas agree again.
 */
describe('purges reach the trees', () => {
  for (const seed of seeds(1, 1400)) {
    it(`seed ${seed}: a purged tombstone leaves the tree of each replica that compacted`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2'] }, async (sim) => {
        const graceMs = 1000;
        const c = await simCluster(sim, { n: 2, graceMs, antiEntropy: { scheduler: false } });
        const resolver = c.resolver('n1');
        const now = sim.clock('n1').now();
        const tombstone: Sibling = { version: resolver.stamp('n1', undefined, [], now), value: null, writtenAt: now };
        const key = 'deleted-key';
        const p = partitionOfKey(key, c.placement('n1').partitionCount);
        for (const id of ['n1', 'n2']) await c.run(c.replica(id).applyMany([{ key, siblings: [tombstone] }]));
        const hex = (id: string) => Buffer.from(c.ae(id).root(p)).toString('hex');
        const empty = '00'.repeat(16);
        expect(hex('n1')).not.toBe(empty);
        expect(hex('n1')).toBe(hex('n2'));

        // Both replicas found equal after the delete: the GC's wait for repair is over (tombstoneGc.int.spec.ts).
        for (const [a, b] of [
          ['n1', 'n2'],
          ['n2', 'n1'],
        ] as const)
          await c.run(c.ae(a).exchange(b, p));
        await sim.runFor(graceMs + 100);
        await c.run(c.engine('n1').compactRange());
        await sim.runUntil(() => hex('n1') === empty, 10_000);
        expect(hex('n1')).toBe(empty);
        expect(hex('n2')).not.toBe(empty); // n2 has not compacted: still holds the tombstone
        await c.run(c.engine('n2').compactRange());
        await sim.runUntil(() => hex('n2') === empty, 10_000);
        expect(hex('n2')).toBe(hex('n1'));
        expect(await c.run(c.ae('n1').exchange('n2', p))).toMatchObject({ keysSent: 0, keysReceived: 0 });
        await c.stop();
      });
    }, 60_000);
  }
});
