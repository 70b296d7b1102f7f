import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BOOT_MS, eventually, ProcessCluster } from './clusterHarness';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined): string => (b === undefined ? '(none)' : Buffer.from(b).toString());

describe('a 3-node cluster of real processes (quorum N=3 W=2 R=2, engine-lsm, transport-ws)', () => {
  const cluster = new ProcessCluster();
  const client = cluster.client.bind(cluster);

  beforeAll(() => cluster.setup(), 2 * BOOT_MS);
  afterAll(() => cluster.teardown());

  it('takes put/get/delete/batch through any node, each write acknowledged by a quorum', async () => {
    const ids = ['n1', 'n2', 'n3'] as const;
    for (const [i, id] of ids.entries()) {
      const next = ids[(i + 1) % 3]!;
      const w = await eventually(() => client(id).put(`k/${id}`, text(`v-${id}`)));
      expect(w.acks).toBeGreaterThanOrEqual(2);
      const r = await eventually(() => client(next).get(`k/${id}`));
      expect(r.values.map(str)).toEqual([`v-${id}`]);
    }
    await client('n2').delete('k/n1');
    await expect(client('n3').get('k/n1')).resolves.toMatchObject({ found: false });
    const results = await client('n3').batch([
      { type: 'put', key: 'b/1', value: text('one') },
      { type: 'put', key: 'b/2', value: text('two') },
      { type: 'del', key: 'k/n2' },
    ]);
    expect(results).toHaveLength(3);
    expect((await client('n1').get('b/1')).values.map(str)).toEqual(['one']);
    expect((await client('n2').get('b/2')).values.map(str)).toEqual(['two']);
    expect((await client('n1').get('k/n2')).found).toBe(false);
  }, 120_000);

  it('scans every live key once, page by page, through the client (any node walks every partition)', async () => {
    const keys = Array.from({ length: 30 }, (_, i) => `scan/${String(i).padStart(2, '0')}`);
    // At consistency 'all': a scan reads each partition from one replica (the scanning node's own first), so what it
    // must see has to be on every replica when acknowledged (at W=2 the third copy may still be in flight: seen in CI).
    // Retried until acknowledged: 'all' needs both of n1's peer links, which the first test never needed, and one fresh
    // clone CI run (2 suites at a time, loaded box) saw this batch fail at once for all 30 keys ("0 of the 3 required
    // replicas answered": one replica refused or was believed down). Re-putting the same values changes nothing this
    // test checks; a failure is logged with its details (each replica's reason), not hidden.
    const logged =
      <T>(what: string, op: () => Promise<T>) =>
      async (): Promise<T> => {
        try {
          return await op();
        } catch (err) {
          console.log(`${what} failed, retrying: ${String(err)} ${JSON.stringify((err as { details?: unknown }).details)}`);
          throw err;
        }
      };
    await eventually(
      logged('setup batch at consistency all', () =>
        client('n1').batch(
          keys.map((key) => ({ type: 'put' as const, key, value: text(`v-${key}`) })),
          { consistency: 'all' },
        ),
      ),
    );
    await eventually(logged('setup delete at consistency all', () => client('n3').delete('scan/05', { consistency: 'all' })));
    const seen: string[] = [];
    let pages = 0;
    for await (const page of client('n2').scanAll({ prefix: 'scan/', limit: 7 })) {
      pages++;
      for (const item of page.items) {
        seen.push(item.key);
        expect(item.siblings.map((s) => str(s.value))).toEqual([`v-${item.key}`]);
      }
    }
    expect([...seen].sort()).toEqual(keys.filter((k) => k !== 'scan/05'));
    expect(new Set(seen).size).toBe(seen.length);
    expect(pages).toBeGreaterThanOrEqual(5);
  }, 120_000);

  it(
    'keeps W=2 writes and R=2 reads working with one node killed -9, and a quorum read repairs it after restart',
    async () => {
      await cluster.kill('n1');
      const w = await eventually(() => client('n2').put('down/1', text('while-n1-down')));
      expect(w.acks).toBeGreaterThanOrEqual(2);
      await eventually(() => client('n3').put('down/2', text('also')));
      expect((await eventually(() => client('n3').get('down/1'))).values.map(str)).toEqual(['while-n1-down']);
      expect((await eventually(() => client('n2').get('down/2'))).values.map(str)).toEqual(['also']);
      expect((await eventually(() => client('n2').get('b/1'))).values.map(str)).toEqual(['one']);

      await cluster.start('n1'); // same port, same data dir
      const all = await eventually(() => client('n1').get('down/1', { consistency: 'all' }));
      expect(all.values.map(str)).toEqual(['while-n1-down']);

      // Only n1 left: a read of one replica (n1's own) shows what read repair gave it.
      await cluster.kill('n2');
      await cluster.kill('n3');
      const repaired = await eventually(async () => {
        const r = await client('n1').get('down/1', { consistency: 'one' });
        if (!r.found) throw new Error('n1 has not been repaired yet');
        return r;
      });
      expect(repaired.values.map(str)).toEqual(['while-n1-down']);
      // The control: a key written while n1 was down and never read since is not on n1 (so the read above saw repair, not a peer).
      expect((await client('n1').get('down/2', { consistency: 'one' })).found).toBe(false);
      // Written before the kill and still on n1's disk (engine-lsm).
      expect((await client('n1').get('b/1', { consistency: 'one' })).values.map(str)).toEqual(['one']);
    },
    3 * BOOT_MS,
  );
});
