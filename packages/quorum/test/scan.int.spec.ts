import { afterEach, describe, expect, it } from '@jest/globals';
import { PartitionerToken, type ScanItem, type ScanOptions } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { bytes, simCluster, type SimCluster } from './simCluster';

let cluster: SimCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const NODES = ['n1', 'n2', 'n3', 'n4'];

/** Every page of a scan through `id`'s coordinator, from the start to a null cursor. */
async function scanAll(c: SimCluster, id: string, options: ScanOptions): Promise<{ items: ScanItem[]; pages: number }> {
  const items: ScanItem[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const page = await c.run(c.coordinator(id).scan({ ...options, cursor }));
    expect(page.items.length).toBeLessThanOrEqual(options.limit ?? 100);
    items.push(...page.items);
    cursor = page.cursor ?? undefined;
    pages++;
    expect(pages).toBeLessThan(1000);
  } while (cursor !== undefined);
  return { items, pages };
}

/** Marks `id` down in every node's membership view. */
function down(c: SimCluster, id: string): void {
  for (const n of c.ids) if (n !== id) c.view(n).setAlive(id, false);
}

describe('quorum coordinator: cluster-wide scan over a simulated 4-node cluster (N=3)', () => {
  it('finds every live key exactly once, in (partition, key) order, after writes at W=2 with a replica down and a primary unreachable while scanning', async () => {
    await runSimulation({ seed: 41, nodes: NODES }, async (sim) => {
      const c = (cluster = await simCluster(sim));
      sim.network.isolate('n3');
      down(c, 'n3');
      const keys = Array.from({ length: 120 }, (_, i) => `user:${String(i).padStart(3, '0')}`);
      for (const key of keys) await c.run(c.coordinator('n1').put(key, bytes(`v-${key}`), { consistency: 2, timeoutMs: 1000 }));
      const deleted = keys.filter((_, i) => i % 10 === 0);
      for (const key of deleted) await c.run(c.coordinator('n2').delete(key, { consistency: 2, timeoutMs: 1000 }));
      await c.run(c.coordinator('n1').put('other', bytes('x'), { consistency: 2 }));
      await sim.runFor(200);
      // n1 stops answering while every view still believes it up: n4's scan falls over to the next replica
      sim.network.isolate('n1');
      const { items, pages } = await scanAll(c, 'n4', { prefix: 'user:', limit: 7, timeoutMs: 500 });
      const expected = keys.filter((k) => !deleted.includes(k));
      expect(items.map((i) => i.key).sort()).toEqual(expected);
      expect(new Set(items.map((i) => i.key)).size).toBe(items.length);
      expect(pages).toBeGreaterThanOrEqual(Math.ceil(expected.length / 7));
      for (const item of items) expect(item.siblings.map((s) => Buffer.from(s.value).toString())).toEqual([`v-${item.key}`]);
      const placement = c.node('n4').resolve(PartitionerToken).placement();
      const order = items.map((i) => [placement.partitionOf(i.key), i.key] as const);
      const sorted = [...order].sort((a, b) => a[0] - b[0] || Buffer.compare(Buffer.from(a[1]), Buffer.from(b[1])));
      expect(order).toEqual(sorted);
    });
  });

  it("an item's context supersedes what was scanned: a write with it replaces the value, leaving no sibling", async () => {
    await runSimulation({ seed: 42, nodes: NODES }, async (sim) => {
      const c = (cluster = await simCluster(sim, { resolver: 'vclock' }));
      await c.run(c.coordinator('n1').put('k', bytes('a'), {}));
      const page = await c.run(c.coordinator('n2').scan({ prefix: 'k', limit: 10 }));
      expect(page.items.map((i) => i.key)).toEqual(['k']);
      await c.run(c.coordinator('n3').put('k', bytes('b'), { context: page.items[0]!.context }));
      const read = await c.run(c.coordinator('n1').get('k', { consistency: 'all' }));
      expect(read.siblings.map((s) => Buffer.from(s.value).toString())).toEqual(['b']);
    });
  });

  it('a partition no replica answers for is QUORUM_NOT_REACHED naming it; bad options are INVALID_ARGUMENT', async () => {
    await runSimulation({ seed: 43, nodes: NODES }, async (sim) => {
      const c = (cluster = await simCluster(sim));
      await c.run(c.coordinator('n1').put('k', bytes('a'), {}));
      for (const id of ['n1', 'n2', 'n3']) sim.network.isolate(id);
      const err = await c.run(c.coordinator('n4').scan({ limit: 1000, timeoutMs: 200 })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'QUORUM_NOT_REACHED', details: { required: 1, answered: [] } });
      const missing = (err as { details: { missing: { node: string; reason: string }[] } }).details.missing;
      expect(missing.map((m) => m.node).sort()).toEqual(['n1', 'n2', 'n3']);
      const store = c.node('n4').store;
      await expect(c.run(store.scan({ consistency: 'quorum' }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(c.run(store.scan({ limit: 0 }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(c.run(store.scan({ cursor: '64.' }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' }); // Q = 64
      await expect(c.run(store.scan({ cursor: 'garbage' }))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    });
  });
});
