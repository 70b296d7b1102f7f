import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamisClient } from '@dynamis/client';
import { request } from 'node:http';
import { parsePromText, sampleValue, type PromFamily } from '../../admin/test/promText';
import { waitFor } from './rawWire';
import { CLIENT_TOKEN, startServerProcess, type ServerProcess } from './serverProcess';
import { BOOT_MS } from './clusterHarness';

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(url, { agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    })
      .on('error', reject)
      .end();
  });
}

describe('dynamis-server --admin', () => {
  let server: ServerProcess;
  let client: DynamisClient;
  let adminUrl: string;

  beforeAll(async () => {
    server = await startServerProcess({ nodeId: 'adm-node', log: { level: 'warn' } }, ['--port', '0', '--admin', '127.0.0.1:0']);
    await waitFor(() => /admin on http:\/\/\S+/.test(server.stdout()), 'the admin URL printed');
    adminUrl = /admin on (http:\/\/\S+)/.exec(server.stdout())![1]!;
    client = await DynamisClient.connect({ nodes: [server.address], token: CLIENT_TOKEN, timeoutMs: 5000 });
  }, BOOT_MS);

  afterAll(async () => {
    await client?.close();
    await server?.dispose();
  });

  it('serves /metrics as Prometheus text that moves with writes over the client API', async () => {
    const scrape = async (): Promise<Map<string, PromFamily>> => {
      const res = await get(`${adminUrl}metrics`);
      expect(res.status).toBe(200);
      return parsePromText(res.body);
    };
    const before = await scrape();
    expect(sampleValue(before, 'dynamis_up', { node: 'adm-node' })).toBe(1);
    expect(before.has('process_resident_memory_bytes')).toBe(true);
    expect([...before.keys()].some((name) => name.startsWith('dynamis_transport_'))).toBe(true);
    const keys0 = sampleValue(before, 'dynamis_engine_counters', { key: 'keys' });
    for (let i = 0; i < 3; i++) await client.put(`adm/${i}`, new TextEncoder().encode('v'));
    expect(sampleValue(await scrape(), 'dynamis_engine_counters', { key: 'keys' })).toBe(keys0 + 3);
    const health = await get(`${adminUrl}health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ node: 'adm-node', status: 'ok' });
  });

  it('on a quorum node, also mirrors coordinator, hint, anti-entropy and gossip stats and the membership view', async () => {
    const q = await startServerProcess(
      { nodeId: 'adm-q', coordinator: 'quorum', replication: { n: 1, w: 1, r: 1 }, log: { level: 'warn' } },
      ['--port', '0', '--admin', '127.0.0.1:0'],
    );
    try {
      await waitFor(() => /admin on http:\/\/\S+/.test(q.stdout()), 'the admin URL printed');
      const url = /admin on (http:\/\/\S+)/.exec(q.stdout())![1]!;
      const m = parsePromText((await get(`${url}metrics`)).body);
      expect(sampleValue(m, 'dynamis_members', { node: 'adm-q', status: 'up' })).toBe(1);
      for (const name of [
        'dynamis_coordinator_forwarded',
        'dynamis_hints_delivered',
        'dynamis_anti_entropy_exchanges',
        'dynamis_membership_refutations',
      ])
        expect(sampleValue(m, name)).toBe(0);
    } finally {
      await q.dispose();
    }
  });

  it('refuses a non-loopback --admin without a token, naming admin.token', async () => {
    await expect(
      startServerProcess({ nodeId: 'adm-open', log: { level: 'warn' } }, ['--port', '0', '--admin', '0.0.0.0:0']),
    ).rejects.toThrow(/exited \(1\)[\s\S]*error INVALID_CONFIG[\s\S]*token/);
  });
});
