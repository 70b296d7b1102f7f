import { afterEach, describe, expect, it } from '@jest/globals';
import { isDynamisError, type Clock, type Envelope } from '@dynamis/core';
import { Scheduler, VirtualClock } from '@dynamis/testkit';
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
  /** Virtual time run while stopping nodes on a VirtualClock. */
  const stopping: Array<Promise<void>> = [];
  afterEach(async () => {
    seen.length = 0;
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all([...nodes.splice(0).map((n) => n.stop()), ...stopping.splice(0)]);
  });
  async function server(options: Parameters<typeof startNode>[1] = {}, timers?: Clock): Promise<WsTransport> {
    const t = await startNode(
      'server',
      { clientTokens: { app: TOKEN }, ...options },
      async (from, msg) => {
        seen.push([from, msg]);
        return { type: 'ok', payload: from };
      },
      timers,
    );
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

  it('drops a peer that never finishes the handshake, at handshakeTimeoutMs on the transport clock', async () => {
    const scheduler = new Scheduler();
    const s = await server({ handshakeTimeoutMs: 150 }, new VirtualClock(scheduler));
    const port = Number(new URL(s.address()!).port);
    const tcp = connect(port, '127.0.0.1');
    const tcpClosed = new Promise<void>((r) => tcp.once('close', () => r()));
    const raw = await rawConnect(s.address()!, {}); // upgraded after the TCP socket was accepted; never sends its proof
    const rawClosed = closeCode(raw);
    await scheduler.runFor(149);
    expect([s.stats().handshakeTimeouts, raw.readyState, tcp.destroyed]).toEqual([0, raw.OPEN, false]);
    await scheduler.runFor(2);
    expect(await rawClosed).toBe(1006);
    await tcpClosed;
    expect(s.stats().handshakeTimeouts).toBe(2);
    expect(s.stats().connections).toBe(0);
    stopping.push(scheduler.runFor(1000)); // the stop grace runs on this clock
  });

  it('accepts at most 128 bytes per message before authentication (1009), the full maxPayloadBytes after', async () => {
    const s = await server();
    const early = await rawConnect(s.address()!, {});
    early.send(Buffer.alloc(129));
    expect(await closeCode(early)).toBe(1009);
    const big = { type: 'client.get', payload: new Uint8Array(512 * 1024) };
    const c = new WsClient({ address: s.address()!, clientId: 'app', token: TOKEN }, clock, quietLogger);
    clients.push(c);
    await c.connect();
    expect(await c.request(big, { timeoutMs: 10_000 })).toEqual({ type: 'ok', payload: 'client:app' });
    expect(seen).toHaveLength(1);
  });

  it('answers a request whose key is ill-formed UTF-8 with INVALID_KEY and keeps the connection', async () => {
    const s = await server();
    const raw = await rawConnect(s.address()!, { key: SECRET });
    const bytes = Buffer.from(codec.encode(FrameKind.Request, 5, 'client.put', { key: 'a?b' }));
    bytes[bytes.indexOf('a?b') + 1] = 0xff;
    raw.send(bytes);
    raw.send(codec.encode(FrameKind.Request, 6, 'client.get', { key: 'ok' }));
    const replies = await new Promise<unknown[]>((resolve) => {
      const got: unknown[] = [];
      raw.on('message', (data: Buffer) => got.push(codec.decode(data)) === 2 && resolve(got));
    });
    expect(replies[0]).toEqual([FrameKind.ErrorResponse, 5, '', expect.objectContaining({ code: 'INVALID_KEY' })]);
    expect(replies[1]).toEqual([FrameKind.Response, 6, 'ok', 'raw-peer']);
    expect(seen.map(([, m]) => m.payload)).toEqual([{ key: 'ok' }]);
    expect(s.stats().illFormedText).toBe(1);
  });

  it('refuses requests beyond maxRequestsInFlight with UNAVAILABLE { overloaded, applied: false } before the handler', async () => {
    const release: Array<() => void> = [];
    const s = await startNode('server', { clientTokens: { app: TOKEN }, maxRequestsInFlight: 2 }, (from) => {
      return new Promise((resolve) => release.push(() => resolve({ type: 'ok', payload: from })));
    });
    nodes.push(s);
    const c = new WsClient({ address: s.address()!, clientId: 'app', token: TOKEN }, clock, quietLogger);
    clients.push(c);
    await c.connect();
    const outcomes = [1, 2, 3].map((i) => c.request({ type: 'client.get', payload: i }, { timeoutMs: 10_000 }).catch((e: unknown) => e));
    expect(await outcomes[2]).toMatchObject({ code: 'UNAVAILABLE', details: { overloaded: true, applied: false } });
    expect(release).toHaveLength(2);
    for (const r of release) r();
    expect(await Promise.all(outcomes.slice(0, 2))).toEqual([
      { type: 'ok', payload: 'client:app' },
      { type: 'ok', payload: 'client:app' },
    ]);
    expect(s.stats().overloaded).toBe(1);
  });

  it('keeps reservedPeerConnections for nodes: a client beyond the rest is closed with 1013, a node still gets in', async () => {
    const s = await server({ maxConnections: 3, reservedPeerConnections: 1 });
    const connect = async (): Promise<unknown> => {
      const c = new WsClient({ address: s.address()!, clientId: 'app', token: TOKEN }, clock, quietLogger);
      clients.push(c);
      return c.connect().catch((e: unknown) => e);
    };
    expect(await connect()).toBeUndefined();
    expect(await connect()).toBeUndefined();
    const third = await connect();
    expect(isDynamisError(third, 'UNAVAILABLE')).toBe(true);
    expect((third as Error).message).toMatch(/1013/);
    const peer = await startNode('peer');
    nodes.push(peer);
    peer.setPeerAddress('server', s.address()!);
    expect(await peer.request('server', { type: 'gossip', payload: null }, { timeoutMs: 10_000 })).toEqual({ type: 'ok', payload: 'peer' });
    expect(s.stats().refusedConnections).toBe(1);
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
