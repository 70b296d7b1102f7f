import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { GetResult } from '@dynamis/client';
import type { WriteOptions, WriteResult } from '@dynamis/core';
import { BOOT_MS, eventually, IDS, ProcessCluster, type NodeName } from './clusterHarness';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const sorted = (r: GetResult): string[] => r.values.map((b) => Buffer.from(b).toString()).sort();
/** The distinct sibling values: a put retried after a failure that may have applied it is a new write, hence maybe one more sibling of the same value. */
const distinct = (r: GetResult): string[] => [...new Set(sorted(r))];

/**
 * Vector clocks across real processes: three `dynamis-server --resolver
 * vclock` nodes. Concurrent writes through different nodes come back as
 * siblings with one context; the client passes that context back to resolve
 * them, also with a node killed -9, and a quorum read repairs the restarted
 * node. Each case first waits, with retried writes to other keys, until the
 * nodes it uses serve writes; a write that still fails transiently (a loaded
 * box) is retried, which may add a sibling of the same value, so sibling
 * checks before a resolving write compare the distinct values and ask for at
 * least one sibling per writer.
 */
describe('a 3-node vclock cluster of real processes (--resolver vclock, N=3 W=2 R=2, engine-lsm)', () => {
  const cluster = new ProcessCluster(['--resolver', 'vclock']);
  const client = cluster.client.bind(cluster);
  /** Retries a throwaway write through each of `via` until every one succeeds. */
  const ready = async (via: readonly NodeName[]): Promise<void> => {
    for (const id of via) await eventually(() => client(id).put(`ready/${id}`, text('ok')));
  };
  /** Puts through node `id`, retried until it succeeds; `tries` counts the attempts (each may have added a sibling). */
  const put = async (id: NodeName, key: string, value: string, options: WriteOptions = {}): Promise<WriteResult & { tries: number }> => {
    let tries = 0;
    const result = await eventually(() => {
      tries += 1;
      return client(id).put(key, text(value), options);
    });
    return { ...result, tries };
  };
  /** `r` holds only `value`: one sibling, or up to `tries` when the resolving write was retried. */
  const resolvedTo = (r: GetResult, value: string, tries: number): void => {
    expect(distinct(r)).toEqual([value]);
    expect(r.siblings.length).toBeGreaterThanOrEqual(1);
    expect(r.siblings.length).toBeLessThanOrEqual(tries);
  };

  beforeAll(() => cluster.setup(), 2 * BOOT_MS);
  afterAll(() => cluster.teardown());

  it('keeps concurrent writes through different nodes as siblings; the merged context resolves them; a delete with it leaves none', async () => {
    await ready(IDS);
    const blind = await Promise.all([put('n1', 'cart', 'apple'), put('n2', 'cart', 'pear')]);
    for (const w of blind) expect(w.acks).toBeGreaterThanOrEqual(2);
    const first = await eventually(() => client('n3').get('cart'));
    expect(first.found).toBe(true);
    expect(distinct(first)).toEqual(['apple', 'pear']);
    expect(first.siblings.length).toBeGreaterThanOrEqual(2);
    expect(first.context.length).toBeGreaterThan(0);

    // Two writers with the same (now stale) context: each supersedes what it read, not each other.
    const stale = await Promise.all([
      put('n1', 'cart', 'apple+fig', { context: first.context }),
      put('n3', 'cart', 'pear+kiwi', { context: first.context }),
    ]);
    for (const w of stale) expect(w.acks).toBeGreaterThanOrEqual(2);
    const second = await eventually(() => client('n2').get('cart'));
    expect(distinct(second)).toEqual(['apple+fig', 'pear+kiwi']);

    const merged = await put('n2', 'cart', 'apple+fig+pear+kiwi', { context: second.context });
    expect(merged.acks).toBeGreaterThanOrEqual(2);
    for (const id of IDS) resolvedTo(await eventually(() => client(id).get('cart')), 'apple+fig+pear+kiwi', merged.tries);

    const third = await eventually(() => client('n1').get('cart', { consistency: 'all' }));
    resolvedTo(third, 'apple+fig+pear+kiwi', merged.tries);
    await eventually(() => client('n3').delete('cart', { context: third.context }));
    for (const id of IDS) expect(await eventually(() => client(id).get('cart'))).toMatchObject({ found: false, siblings: [], values: [] });
  }, 120_000);

  it(
    'with one node killed -9, W=2/R=2 keep siblings and resolve them; after restart a quorum read repairs the node',
    async () => {
      await cluster.kill('n1');
      await ready(['n2', 'n3']);
      const blind = await Promise.all([put('n2', 'vk', 'left'), put('n3', 'vk', 'right')]);
      for (const w of blind) expect(w.acks).toBe(2);
      const read = await eventually(() => client('n2').get('vk'));
      expect(distinct(read)).toEqual(['left', 'right']);
      const resolved = await put('n3', 'vk', 'both', { context: read.context });
      expect(resolved.acks).toBe(2);
      resolvedTo(await eventually(() => client('n2').get('vk')), 'both', resolved.tries);
      await put('n2', 'vk/unread', 'never read after n1 restarts');

      await cluster.start('n1'); // same port, same data dir
      resolvedTo(await eventually(() => client('n1').get('vk', { consistency: 'all' })), 'both', resolved.tries);

      // Only n1 left: a read of one replica (n1's own) shows what read repair gave it.
      await cluster.kill('n2');
      await cluster.kill('n3');
      const repaired = await eventually(async () => {
        const r = await client('n1').get('vk', { consistency: 'one' });
        if (!r.found) throw new Error('n1 has not been repaired yet');
        return r;
      });
      resolvedTo(repaired, 'both', resolved.tries);
      // The control: written while n1 was down and never read since, so not on n1 (the read above saw repair, not a peer).
      expect((await client('n1').get('vk/unread', { consistency: 'one' })).found).toBe(false);
    },
    3 * BOOT_MS,
  );
});
