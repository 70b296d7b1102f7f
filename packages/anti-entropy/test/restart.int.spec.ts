import { describe, expect, it } from '@jest/globals';
import { isDynamisError, type ReplicaEntry, type Sibling } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { seeds, simCluster } from './simCluster';

/*
 * After a restart the trees are rebuilt by one scan of the replica, at most
 * rebuildKeysPerSecond keys a second (virtual time here); exchanges are
 * refused UNAVAILABLE `rebuilding` until then, a write landing during the
 * rebuild is in the rebuilt tree, and the rebuilt roots equal the roots of a
 * replica that kept the same data all along.
 */
describe('restart: the trees are rebuilt from the replica', () => {
  for (const seed of seeds(1, 1300)) {
    it(`seed ${seed}: rate-limited rebuild, refused exchanges meanwhile, equal roots after`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2'] }, async (sim) => {
        const c = await simCluster(sim, { n: 2, engine: 'lsm', antiEntropy: { scheduler: false, rebuildKeysPerSecond: 1000 } });
        const resolver = c.resolver('n1');
        const now = sim.clock('n1').now();
        const sibling = (v: string, at = 0): Sibling => ({
          version: resolver.stamp('n1', undefined, [], now + at),
          value: Buffer.from(v),
          writtenAt: now + at,
        });
        const entries: ReplicaEntry[] = Array.from({ length: 5000 }, (_, k) => ({ key: `key-${k}`, siblings: [sibling(`v${k}`)] }));
        for (let i = 0; i < entries.length; i += 500) {
          await c.run(c.replica('n1').applyMany(entries.slice(i, i + 500)));
          await c.run(c.replica('n2').applyMany(entries.slice(i, i + 500)));
        }
        const partitions = c.placement('n1').partitions.map((p) => p.id);
        const before = partitions.map((p) => Buffer.from(c.ae('n2').root(p)).toString('hex'));

        await c.restart('n2');
        const started = sim.now();
        expect(c.ae('n2').ready).toBe(false);
        const refused = await c.run(c.ae('n1').exchange('n2', 0)).catch((err: unknown) => err);
        expect(isDynamisError(refused) && refused.code === 'UNAVAILABLE' && refused.details?.['rebuilding'] === true).toBe(true);
        const own = await c.run(c.ae('n2').exchange('n1', 0)).catch((err: unknown) => err);
        expect(isDynamisError(own) && own.code === 'UNAVAILABLE').toBe(true);
        // A newer version of the key the scan reaches last, written during the rebuild: it must win over the scan's copy.
        const late = { key: 'key-999', siblings: [sibling('late', 10)] };
        await c.run(c.replica('n2').applyMany([late]));
        await c.run(c.replica('n1').applyMany([late]));

        await c.run(c.ae('n2').whenReady());
        expect(c.ae('n2').ready).toBe(true);
        // 5000 keys at 1000 keys/s with a one-second burst: at least 3.5 s of virtual time.
        expect(sim.now() - started).toBeGreaterThanOrEqual(3500);
        for (const p of partitions)
          expect(Buffer.from(c.ae('n2').root(p)).toString('hex')).toBe(Buffer.from(c.ae('n1').root(p)).toString('hex'));
        expect(partitions.map((p) => Buffer.from(c.ae('n2').root(p)).toString('hex'))).not.toEqual(before); // the newer key-999 is in
        for (const p of partitions) expect(await c.run(c.ae('n1').exchange('n2', p))).toMatchObject({ keysSent: 0, keysReceived: 0 });
        await c.stop();
      });
    }, 120_000);
  }
});
