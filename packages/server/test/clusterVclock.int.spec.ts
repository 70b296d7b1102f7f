import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GetResult } from '@dynamis/client';
import { eventually, IDS, ProcessCluster, type NodeName } from './clusterHarness';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const sorted = (r: GetResult): string[] => r.values.map((b) => Buffer.from(b).toString()).sort();

/**
 * Vector clocks across real processes: three `dynamis-server --resolver
 * vclock` nodes. Concurrent writes through different nodes come back as
 * siblings with one context; the client passes that context back to resolve
 * them, also with a node killed -9, and a quorum read repairs the restarted
 * node. The concurrent puts are never retried (a retried put is a new write,
 * hence a new sibling): each case first waits, with retried writes to other
 * keys, until the nodes it uses serve writes.
 */
describe('a 3-node vclock cluster of real processes (--resolver vclock, N=3 W=2 R=2, engine-lsm)', () => {
  const cluster = new ProcessCluster(['--resolver', 'vclock']);
  const client = cluster.client.bind(cluster);
  /** Retries a throwaway write through each of `via` until every one succeeds. */
  const ready = async (via: readonly NodeName[]): Promise<void> => {
    for (const id of via) await eventually(() => client(id).put(`ready/${id}`, text('ok')));
  };

  beforeAll(() => cluster.setup(), 120_000);
  afterAll(() => cluster.teardown());

  it('keeps concurrent writes through different nodes as siblings; the merged context resolves them; a delete with it leaves none', async () => {
    await ready(IDS);
    const blind = await Promise.all([client('n1').put('cart', text('apple')), client('n2').put('cart', text('pear'))]);
    for (const w of blind) expect(w.acks).toBeGreaterThanOrEqual(2);
    const first = await client('n3').get('cart');
    expect(first.found).toBe(true);
    expect(sorted(first)).toEqual(['apple', 'pear']);
    expect(first.siblings).toHaveLength(2);
    expect(first.context.length).toBeGreaterThan(0);

    // Two writers with the same (now stale) context: each supersedes what it read, not each other.
    const stale = await Promise.all([
      client('n1').put('cart', text('apple+fig'), { context: first.context }),
      client('n3').put('cart', text('pear+kiwi'), { context: first.context }),
    ]);
    for (const w of stale) expect(w.acks).toBeGreaterThanOrEqual(2);
    const second = await client('n2').get('cart');
    expect(sorted(second)).toEqual(['apple+fig', 'pear+kiwi']);

    const merged = await client('n2').put('cart', text('apple+fig+pear+kiwi'), { context: second.context });
    expect(merged.acks).toBeGreaterThanOrEqual(2);
    for (const id of IDS) expect(sorted(await client(id).get('cart'))).toEqual(['apple+fig+pear+kiwi']);

    const third = await client('n1').get('cart', { consistency: 'all' });
    expect(third.siblings).toHaveLength(1);
    await client('n3').delete('cart', { context: third.context });
    for (const id of IDS) await expect(client(id).get('cart')).resolves.toMatchObject({ found: false, siblings: [], values: [] });
  }, 120_000);

  it('with one node killed -9, W=2/R=2 keep siblings and resolve them; after restart a quorum read repairs the node', async () => {
    await cluster.kill('n1');
    await ready(['n2', 'n3']);
    const blind = await Promise.all([client('n2').put('vk', text('left')), client('n3').put('vk', text('right'))]);
    for (const w of blind) expect(w.acks).toBe(2);
    const read = await client('n2').get('vk');
    expect(sorted(read)).toEqual(['left', 'right']);
    const resolved = await client('n3').put('vk', text('both'), { context: read.context });
    expect(resolved.acks).toBe(2);
    expect(sorted(await client('n2').get('vk'))).toEqual(['both']);
    await client('n2').put('vk/unread', text('never read after n1 restarts'));

    await cluster.start('n1'); // same port, same data dir
    const all = await eventually(() => client('n1').get('vk', { consistency: 'all' }));
    expect(sorted(all)).toEqual(['both']);
    expect(all.siblings).toHaveLength(1);

    // Only n1 left: a read of one replica (n1's own) shows what read repair gave it.
    await cluster.kill('n2');
    await cluster.kill('n3');
    const repaired = await eventually(async () => {
      const r = await client('n1').get('vk', { consistency: 'one' });
      if (!r.found) throw new Error('n1 has not been repaired yet');
      return r;
    });
    expect(sorted(repaired)).toEqual(['both']);
    // The control: written while n1 was down and never read since, so not on n1 (the read above saw repair, not a peer).
    expect((await client('n1').get('vk/unread', { consistency: 'one' })).found).toBe(false);
  }, 240_000);
});
