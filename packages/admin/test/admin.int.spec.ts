import { afterEach, describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { createNode, StorageEngineToken, type DynamisNode } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { connect } from 'node:net';
import { register as globalRegister } from 'prom-client';
import { admin, AdminServiceToken, type AdminOptionsInput } from '../src';
import { httpRequest } from './adminHttp';
import { parsePromText, sampleValue } from './promText';
import { openSse, type SseStream } from './sse';

const TOKEN = 'a-test-token-of-32-characters-xx';
const nodes: DynamisNode[] = [];
const streams: SseStream[] = [];

interface Frame {
  node: string;
  seq: number;
  members: { id: string; state: string }[];
  ops: { totalPerSec: number; opsPerSec: { put: number; get: number } };
}

async function startNode(nodeId: string, options: AdminOptionsInput = {}): Promise<{ node: DynamisNode; url: string }> {
  const node = await createNode({ nodeId, log: { level: 'silent' } }, [
    memoryEngine(),
    lwwResolver({ maxSkewMs: 1000 }),
    localCoordinator(),
    admin(options),
  ]);
  nodes.push(node);
  await node.start();
  const url = node.resolve(AdminServiceToken).url();
  if (url === undefined) throw new Error('admin endpoint not listening');
  return { node, url };
}

afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  for (const n of nodes.splice(0)) await n.stop();
});

async function stream(url: string, headers?: Record<string, string>): Promise<SseStream> {
  const s = await openSse(url, headers);
  streams.push(s);
  return s;
}

describe('@dynamis/admin over HTTP', () => {
  it('serves /metrics as Prometheus text whose engine figures move after puts', async () => {
    const { node, url } = await startNode('m1');
    const before = parsePromText((await httpRequest(`${url}metrics`)).body);
    expect(sampleValue(before, 'dynamis_up', { node: 'm1' })).toBe(1);
    const keys0 = sampleValue(before, 'dynamis_engine_counters', { key: 'keys' });
    const bytes0 = sampleValue(before, 'dynamis_engine_approximate_bytes');
    expect(before.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(before.get('dynamis_engine_approximate_bytes')?.type).toBe('gauge');
    for (let i = 0; i < 5; i++) await node.store.put(`k${i}`, Buffer.from('value'));
    const res = await httpRequest(`${url}metrics`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const after = parsePromText(res.body);
    expect(sampleValue(after, 'dynamis_engine_counters', { key: 'keys' })).toBe(keys0 + 5);
    expect(sampleValue(after, 'dynamis_engine_approximate_bytes')).toBeGreaterThan(bytes0);
    expect(sampleValue(after, 'dynamis_admin_requests_total', { path: '/metrics', code: '200' })).toBe(1);
  });

  it('keeps each node in its own registry, never the global one', async () => {
    const a = await startNode('r1');
    const b = await startNode('r2');
    const keysOf = async (url: string, node: string): Promise<number> =>
      sampleValue(parsePromText((await httpRequest(`${url}metrics`)).body), 'dynamis_engine_counters', { node, key: 'keys' });
    const [a0, b0] = [await keysOf(a.url, 'r1'), await keysOf(b.url, 'r2')];
    await a.node.store.put('only-in-r1', Buffer.from('v'));
    expect(await keysOf(a.url, 'r1')).toBe(a0 + 1);
    expect(await keysOf(b.url, 'r2')).toBe(b0);
    expect(globalRegister.getMetricsAsArray().filter((m) => m.name.startsWith('dynamis_'))).toEqual([]);
  });

  it('answers /health and /status with JSON, 503 once the engine is not open', async () => {
    const { node, url } = await startNode('h1');
    const health = await httpRequest(`${url}health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ node: 'h1', status: 'ok', uptime: expect.any(Number) });
    type Status = { stats: { engine: { counters: { keys: number } } } };
    const status0 = JSON.parse((await httpRequest(`${url}status`)).body) as Status;
    await node.store.put('k', Buffer.from('v'));
    const status = JSON.parse((await httpRequest(`${url}status`)).body) as Status;
    expect(status).toMatchObject({ node: 'h1', status: 'ok', errors: {} });
    expect(status.stats.engine.counters.keys).toBe(status0.stats.engine.counters.keys + 1);
    await node.resolve(StorageEngineToken).close();
    const down = await httpRequest(`${url}health`);
    expect(down.status).toBe(503);
    expect(JSON.parse(down.body)).toMatchObject({ node: 'h1', status: 'engine not open' });
    const metrics = parsePromText((await httpRequest(`${url}metrics`)).body);
    expect(sampleValue(metrics, 'dynamis_up')).toBe(0);
    expect(sampleValue(metrics, 'dynamis_stats_errors', { source: 'engine' })).toBe(1);
  });

  it('reports not-ok health before start and after stop, and stops listening', async () => {
    const node = await createNode({ nodeId: 's1', log: { level: 'silent' } }, [
      memoryEngine(),
      lwwResolver({ maxSkewMs: 1000 }),
      localCoordinator(),
      admin(),
    ]);
    const service = node.resolve(AdminServiceToken);
    expect(service.health().status).toBe('created');
    expect(service.url()).toBeUndefined();
    await node.start();
    const url = service.url()!;
    expect((await httpRequest(`${url}health`)).status).toBe(200);
    await node.stop();
    expect(service.health()).toMatchObject({ status: 'stopped', uptime: 0 });
    await expect(httpRequest(`${url}health`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('answers 404 to unknown paths, 405 to other methods, 413 to a request with a body', async () => {
    const { url } = await startNode('p1');
    expect((await httpRequest(`${url}nope`)).status).toBe(404);
    expect((await httpRequest(`${url}metrics/x`)).status).toBe(404);
    const post = await httpRequest(`${url}health`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
    expect((await httpRequest(`${url}health`, { body: 'some body', headers: { 'content-length': '9' } })).status).toBe(413);
    expect((await httpRequest(`${url}health`, { body: 'chunk', headers: { 'transfer-encoding': 'chunked' } })).status).toBe(413);
    const m = parsePromText((await httpRequest(`${url}metrics`)).body);
    expect(sampleValue(m, 'dynamis_admin_requests_total', { path: 'other', code: '404' })).toBe(2);
  });

  it('drops connections beyond maxConnections', async () => {
    const { url } = await startNode('c1', { maxConnections: 1 });
    const { port } = new URL(url);
    const held = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => held.once('connect', resolve));
    held.write('GET /health HTTP/1.1\r\n');
    // The server may accept `held` after a later connection: retry until one is dropped (deadline, not a measurement).
    const end = Date.now() + 20_000;
    let dropped: unknown;
    while (dropped === undefined && Date.now() < end)
      dropped = await httpRequest(`${url}health`).then(
        () => undefined,
        (err: unknown) => err,
      );
    expect(dropped).toMatchObject({ code: expect.stringMatching(/ECONNRESET|EPIPE/) });
    held.end('Host: x\r\n\r\n');
    const answer = await new Promise<string>((resolve) => {
      let text = '';
      held.on('data', (d: Buffer) => (text += d.toString()));
      held.on('close', () => resolve(text));
    });
    expect(answer).toMatch(/^HTTP\/1\.1 200/);
    expect((await httpRequest(`${url}health`)).status).toBe(200);
  });

  it('with a token, answers 401 without it or with a wrong one', async () => {
    const { url } = await startNode('t1', { token: TOKEN });
    const none = await httpRequest(`${url}metrics`);
    expect(none.status).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer');
    expect((await httpRequest(`${url}health`, { headers: { authorization: `Bearer ${TOKEN}x` } })).status).toBe(401);
    expect((await httpRequest(`${url}health`, { headers: { authorization: TOKEN } })).status).toBe(401);
    const ok = await httpRequest(`${url}metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(sampleValue(parsePromText(ok.body), 'dynamis_up')).toBe(1);
  });

  it('binds a non-loopback address only with a token, and enforces it there', async () => {
    expect(() => admin({ listen: '0.0.0.0:0' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', message: expect.stringMatching(/token/) }),
    );
    const { url } = await startNode('w1', { listen: '0.0.0.0:0', token: TOKEN });
    const port = new URL(url).port;
    expect((await httpRequest(`http://127.0.0.1:${port}/health`)).status).toBe(401);
    const ok = await httpRequest(`http://127.0.0.1:${port}/health`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
  });

  it('serves the dashboard page at / and live snapshots at /events whose ops/s follow the store', async () => {
    const { node, url } = await startNode('d1');
    const page = await httpRequest(url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    for (const id of ['members-up', 'ring', 'ops-rate', 'lat-p99', 'hints-total', 'rebalance-state'])
      expect(page.body).toContain(`data-testid="${id}"`);
    expect(page.body).not.toMatch(/<(script|link|img)[^>]+(src|href)=/);
    const events = await stream(`${url}events`);
    expect(events.status).toBe(200);
    const first = (await events.next(() => true)) as Frame;
    expect(first).toMatchObject({ node: 'd1', members: [{ id: 'd1', state: 'up' }] });
    // Puts through the node's Store pass the metered Coordinator: a later frame counts them.
    for (let i = 0; i < 20; i++) await node.store.put(`k${i}`, Buffer.from('v'));
    const busy = (await events.next((f) => (f as Frame).ops.opsPerSec.put > 0, 30_000)) as Frame;
    expect(busy.seq).toBeGreaterThan(first.seq);
    const status = JSON.parse((await httpRequest(`${url}status`)).body) as { dashboard: Frame; events: { clients: number } };
    expect(status.dashboard.node).toBe('d1');
    expect(status.events.clients).toBe(1);
    const m = parsePromText((await httpRequest(`${url}metrics`)).body);
    expect(sampleValue(m, 'dynamis_admin_requests_total', { path: '/', code: '200' })).toBe(1);
    expect(sampleValue(m, 'dynamis_admin_requests_total', { path: '/events', code: '200' })).toBe(1);
  });

  it('answers 503 to an /events stream beyond maxEventClients, and takes one again once a stream closed', async () => {
    const { url } = await startNode('e1', { maxConnections: 4, maxEventClients: 1 });
    const first = await stream(`${url}events`);
    expect(first.status).toBe(200);
    const refused = await httpRequest(`${url}events`);
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('5');
    expect((await httpRequest(`${url}health`)).status).toBe(200);
    const m = parsePromText((await httpRequest(`${url}metrics`)).body);
    expect(sampleValue(m, 'dynamis_admin_event_streams', { outcome: 'open' })).toBe(1);
    expect(sampleValue(m, 'dynamis_admin_event_streams', { outcome: 'refused' })).toBe(1);
    expect(sampleValue(m, 'dynamis_admin_event_streams', { outcome: 'dropped' })).toBe(0);
    first.close();
    const end = Date.now() + 20_000;
    let again: SseStream | undefined;
    while (again === undefined && Date.now() < end) {
      const s = await stream(`${url}events`);
      if (s.status === 200) again = s;
    }
    expect(again?.status).toBe(200);
  });

  it('with a token, takes it as ?token= on / and /events only', async () => {
    const { url } = await startNode('q1', { token: TOKEN });
    expect((await httpRequest(url)).status).toBe(401);
    expect((await httpRequest(`${url}?token=${TOKEN}x`)).status).toBe(401);
    expect((await httpRequest(`${url}?token=${TOKEN}`)).status).toBe(200);
    expect((await httpRequest(`${url}status?token=${TOKEN}`)).status).toBe(401);
    expect((await httpRequest(`${url}metrics?token=${TOKEN}`)).status).toBe(401);
    expect((await stream(`${url}events`)).status).toBe(401);
    const events = await stream(`${url}events?token=${encodeURIComponent(TOKEN)}`);
    expect(events.status).toBe(200);
    expect(await events.next(() => true)).toMatchObject({ node: 'q1' });
    expect((await stream(`${url}events`, { authorization: `Bearer ${TOKEN}` })).status).toBe(200);
  });
});
