import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamisClient } from '@dynamis/client';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { CLIENT_TOKEN, startServerProcess, tempDir, type ServerProcess } from './serverProcess';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const str = (b: Uint8Array | undefined): string => (b === undefined ? '(none)' : Buffer.from(b).toString());
const IDS = ['n1', 'n2', 'n3'] as const;
const DEADLINE_MS = 60_000;

/** A port that was free a moment ago: listen on 0, read it, close. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Retries `op` until it resolves (transient errors while membership marks a node down or up); rethrows the last error at the deadline. */
async function eventually<T>(op: () => Promise<T>, timeoutMs = DEADLINE_MS): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

describe('a 3-node cluster of real processes (quorum N=3 W=2 R=2, engine-lsm, transport-ws)', () => {
  const dirs: string[] = [];
  const nodes = new Map<string, ServerProcess>();
  const clients = new Map<string, DynamisClient>();
  let seeds: string[] = [];
  let ports: number[] = [];

  const config = (i: number): Record<string, unknown> => ({
    nodeId: IDS[i],
    listen: { host: '127.0.0.1', port: ports[i] },
    coordinator: 'quorum',
    engine: 'lsm',
    seeds,
    replication: { n: 3, w: 2, r: 2 },
    membership: { pingIntervalMs: 200, pingTimeoutMs: 150, failuresBeforeDown: 2, minTransitionMs: 500 },
    timeouts: { requestMs: 2000 },
    log: { level: 'error' },
    shutdownLingerMs: 0,
  });
  const start = async (i: number): Promise<void> => {
    const id = IDS[i]!;
    const proc = await startServerProcess(config(i), [], dirs[i]);
    nodes.set(id, proc);
    clients.set(id, await DynamisClient.connect({ nodes: [proc.address], token: CLIENT_TOKEN, timeoutMs: 5000, retries: 0 }));
  };
  const client = (id: string): DynamisClient => clients.get(id)!;
  const kill = async (id: string): Promise<void> => {
    await clients.get(id)?.close();
    clients.delete(id);
    const proc = nodes.get(id)!;
    proc.child.kill('SIGKILL');
    expect(await proc.exited).toBe('SIGKILL');
  };

  beforeAll(async () => {
    ports = [await freePort(), await freePort(), await freePort()];
    seeds = IDS.map((id, i) => `${id}@127.0.0.1:${ports[i]}`);
    for (let i = 0; i < 3; i += 1) dirs.push(tempDir());
    await Promise.all([0, 1, 2].map(start));
  }, 120_000);

  afterAll(async () => {
    for (const c of clients.values()) await c.close().catch(() => undefined);
    for (const p of nodes.values()) await p.dispose();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('takes put/get/delete/batch through any node, each write acknowledged by a quorum', async () => {
    for (const [i, id] of IDS.entries()) {
      const next = IDS[(i + 1) % 3]!;
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

  it('keeps W=2 writes and R=2 reads working with one node killed -9, and a quorum read repairs it after restart', async () => {
    await kill('n1');
    const w = await eventually(() => client('n2').put('down/1', text('while-n1-down')));
    expect(w.acks).toBeGreaterThanOrEqual(2);
    await eventually(() => client('n3').put('down/2', text('also')));
    expect((await eventually(() => client('n3').get('down/1'))).values.map(str)).toEqual(['while-n1-down']);
    expect((await eventually(() => client('n2').get('down/2'))).values.map(str)).toEqual(['also']);
    expect((await eventually(() => client('n2').get('b/1'))).values.map(str)).toEqual(['one']);

    await start(0); // same port, same data dir
    const all = await eventually(() => client('n1').get('down/1', { consistency: 'all' }));
    expect(all.values.map(str)).toEqual(['while-n1-down']);

    // Only n1 left: a read of one replica (n1's own) shows what read repair gave it.
    await kill('n2');
    await kill('n3');
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
  }, 240_000);
});
