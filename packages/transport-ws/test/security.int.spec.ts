import { afterEach, describe, expect, it } from '@jest/globals';
import { isDynamisError, type Envelope } from '@dynamis/core';
import { connect } from 'node:net';
import { WsClient } from '../src/WsClient';
import { FrameKind } from '../src/wire/frameSchema';
import type { WsTransport } from '../src/WsTransport';
import { clock, env, quietLogger, SECRET, startNode, until } from './helpers';
import { closeCode, codec, rawConnect } from './rawClient';

const TOKEN = 'client-token-abcdefghijklmnop';

describe('WsTransport security', () => {
  const nodes: WsTransport[] = [];
  const clients: WsClient[] = [];
  const seen: Array<[string, Envelope]> = [];
  afterEach(async () => {
    seen.length = 0;
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });
  async function server(options: Parameters<typeof startNode>[1] = {}): Promise<WsTransport> {
    const t = await startNode('server', { clientTokens: { app: TOKEN }, ...options }, async (from, msg) => {
      seen.push([from, msg]);
      return { type: 'ok', payload: from };
    });
    nodes.push(t);
    return t;
  }

  it('refuses a node with the wrong secret (1008) before any message reaches the handler', async () => {
    const s = await server();
    const intruder = await startNode('intruder', { secret: 'not-the-cluster-secret!!' });
    nodes.push(intruder);
    intruder.setPeerAddress('server', s.address()!);
    const err = await intruder.request('server', env('x'), { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(isDynamisError(err, 'UNAVAILABLE')).toBe(true);
    await until(() => s.stats().authFailures >= 1);
    const raw = await rawConnect(s.address()!, {});
    raw.send(codec.encode(FrameKind.Auth, 0, '', Buffer.alloc(32, 1)));
    expect(await closeCode(raw)).toBe(1008);
    expect(seen).toEqual([]);
    expect(s.stats().authFailures).toBeGreaterThanOrEqual(2);
  });

  it('refuses a missing secret: no handshake headers (401), or a message instead of the proof (1008)', async () => {
    const s = await server();
    await expect(rawConnect(s.address()!, { headers: { 'x-dynamis-role': null, 'x-dynamis-nonce': null } })).rejects.toThrow(/401/);
    const raw = await rawConnect(s.address()!, {});
    raw.send(codec.encode(FrameKind.Request, 1, 'client.get', { k: 1 }));
    expect(await closeCode(raw)).toBe(1008);
    expect(seen).toEqual([]);
    expect(s.stats().authFailures).toBe(2);
  });

  it('drops a peer that never finishes the handshake', async () => {
    const s = await server({ handshakeTimeoutMs: 150 });
    const port = Number(new URL(s.address()!).port);
    const tcp = connect(port, '127.0.0.1');
    const tcpClosed = new Promise<void>((r) => tcp.once('close', () => r()));
    const raw = await rawConnect(s.address()!, {}); // upgraded, never sends its proof
    const t0 = Date.now();
    expect(await closeCode(raw)).toBe(1006);
    await tcpClosed;
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(s.stats().handshakeTimeouts).toBe(2);
    expect(s.stats().connections).toBe(0);
  });

  it('closes an oversized frame with 1009', async () => {
    const s = await server({ maxPayloadBytes: 64 * 1024 });
    const raw = await rawConnect(s.address()!, { key: SECRET });
    raw.send(Buffer.alloc(64 * 1024 + 1));
    expect(await closeCode(raw)).toBe(1009);
    expect(seen).toEqual([]);
  });

  it('authenticates clients by token; they reach the handler as client:<id>, limited to client types', async () => {
    const s = await server();
    const c = new WsClient({ address: s.address()!, clientId: 'app', token: TOKEN }, clock, quietLogger);
    clients.push(c);
    await c.connect();
    expect(c.server).toBe('server');
    expect(await c.request({ type: 'client.get', payload: 'k' }, { timeoutMs: 2000 })).toEqual({ type: 'ok', payload: 'client:app' });
    await expect(c.request({ type: 'replica.put', payload: 'k' }, { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect(seen.map(([from, m]) => [from, m.type])).toEqual([['client:app', 'client.get']]);
  });

  it('refuses a wrong token and an unknown client id (UNAUTHORIZED), counting both', async () => {
    const s = await server();
    for (const [clientId, token] of [
      ['app', 'wrong-token-0123456789'],
      ['stranger', TOKEN],
    ]) {
      const c = new WsClient({ address: s.address()!, clientId: clientId!, token: token! }, clock, quietLogger);
      clients.push(c);
      await expect(c.connect()).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    expect(s.stats().authFailures).toBe(2);
  });

  it('refuses a client posing as a node, and a node claiming the server’s own id', async () => {
    const s = await server();
    const raw = await rawConnect(s.address()!, { role: 'node', id: 'app', key: TOKEN }).catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(Error);
    await expect(rawConnect(s.address()!, { id: 'server', key: SECRET })).rejects.toThrow(/409/);
    expect(seen).toEqual([]);
  });
});
