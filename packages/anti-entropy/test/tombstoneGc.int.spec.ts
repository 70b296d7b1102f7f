import { describe, expect, it } from '@jest/globals';
import { partitionOfKey, type Sibling } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { seeds, simCluster, type SimCluster } from './simCluster';

/*
 * Tombstone GC that waits for repair. n2 misses a delete that n1 took; the
 * grace period passes and n1 compacts. Purging n1's tombstone then would let
 * the next exchange copy n2's older value back (resurrection). With
 * anti-entropy installed the replica waits until every replica peer of the
 * partition was found equal with it since the tombstone was written
 * (AntiEntropy.repairedThrough), or until tombstones.maxGraceMs.
 */
const graceMs = 1000;
const key = 'deleted-key';

/** n1 and n2 hold the value; then only n1 takes the delete (n2 missed it). Returns the key's partition. */
async function missedDelete(c: SimCluster): Promise<number> {
  const resolver = c.resolver('n1');
  const at = c.sim.clock('n1').now();
  const value: Sibling = { version: resolver.stamp('n1', undefined, [], at), value: Uint8Array.of(1, 2, 3), writtenAt: at };
  for (const id of ['n1', 'n2']) await c.run(c.replica(id).applyMany([{ key, siblings: [value] }]));
  await c.sim.runFor(10);
  const later = c.sim.clock('n1').now();
  const tombstone: Sibling = { version: resolver.stamp('n1', undefined, [value], later), value: null, writtenAt: later };
  await c.run(c.replica('n1').applyMany([{ key, siblings: [tombstone] }]));
  return partitionOfKey(key, c.placement('n1').partitionCount);
}

const values = async (c: SimCluster, id: string) => (await c.run(c.replica(id).read(key))).filter((s) => s.value !== null);
const stored = async (c: SimCluster, id: string) => (await c.run(c.replica(id).read(key))).length;

describe('tombstone GC waits for repair', () => {
  for (const seed of seeds(3, 1600)) {
    it(`seed ${seed}: the tombstone is kept past the grace until anti-entropy synced, then purged, and the key never comes back`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2'] }, async (sim) => {
        const c = await simCluster(sim, { n: 2, graceMs, maxGraceMs: 1_000_000, antiEntropy: { scheduler: false } });
        const p = await missedDelete(c);
        await sim.runFor(graceMs + 100);
        await c.run(c.engine('n1').compactRange());
        expect(await stored(c, 'n1')).toBe(1); // past the grace, but n2 has not synced: kept
        expect(c.ae('n1').repairedThrough()[p]).toBe(-Infinity);

        await c.run(c.ae('n1').exchange('n2', p)); // repair: n2 gets the tombstone
        await c.run(c.ae('n2').exchange('n1', p));
        expect(await values(c, 'n2')).toEqual([]);
        await c.run(c.engine('n1').compactRange());
        await c.run(c.engine('n2').compactRange());
        expect(await stored(c, 'n1')).toBe(0);
        expect(await stored(c, 'n2')).toBe(0);

        for (const [a, b] of [
          ['n1', 'n2'],
          ['n2', 'n1'],
        ] as const)
          await c.run(c.ae(a).exchange(b, p));
        expect(await values(c, 'n1')).toEqual([]);
        expect(await values(c, 'n2')).toEqual([]);
        await c.stop();
      });
    }, 60_000);
  }

  it('without the wait (horizons withdrawn) the same compaction purges the tombstone and the value comes back', async () => {
    await runSimulation({ seed: 1650, nodes: ['n1', 'n2'] }, async (sim) => {
      const c = await simCluster(sim, { n: 2, graceMs, maxGraceMs: 1_000_000, antiEntropy: { scheduler: false } });
      c.replica('n1').useRepairHorizons(undefined); // today's rule: the grace alone
      const p = await missedDelete(c);
      await sim.runFor(graceMs + 100);
      await c.run(c.engine('n1').compactRange());
      expect(await stored(c, 'n1')).toBe(0);
      await c.run(c.ae('n1').exchange('n2', p));
      expect(await values(c, 'n1')).toHaveLength(1); // resurrected
      await c.stop();
    });
  }, 60_000);

  it('purges an unrepaired tombstone anyway once it is older than tombstones.maxGraceMs', async () => {
    await runSimulation({ seed: 1660, nodes: ['n1', 'n2'] }, async (sim) => {
      const maxGraceMs = 5 * graceMs;
      const c = await simCluster(sim, { n: 2, graceMs, maxGraceMs, antiEntropy: { scheduler: false } });
      await missedDelete(c);
      await sim.runFor(maxGraceMs - 100);
      await c.run(c.engine('n1').compactRange());
      expect(await stored(c, 'n1')).toBe(1);
      await sim.runFor(200);
      await c.run(c.engine('n1').compactRange());
      expect(await stored(c, 'n1')).toBe(0);
      await c.stop();
    });
  }, 60_000);
});
