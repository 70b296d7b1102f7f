import { afterEach, describe, expect, it } from '@jest/globals';
import { isDynamisError } from '@dynamis/core';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { Header, newNonce, SUBPROTOCOL } from '../src/auth/handshake';
import { FrameKind } from '../src/wire/frameSchema';
import { WsClient } from '../src/WsClient';
import type { WsTransport } from '../src/WsTransport';
import { clock, env, quietLogger, startNode } from './helpers';
import { codec } from './rawClient';

const TOKEN = 'client-token-abcdefghijklmnop';

/**
 * A listener that speaks the handshake but does not know the secret or token:
 * it claims to be `id`, answers the dialer's Auth with an AuthOk carrying a
 * made-up proof (or, with `flood`, a first message over the pre-auth limit),
 * and records every frame the dialer sends after its Auth.
 */
async function impostor(id: string, mode: 'forged-proof' | 'flood' = 'forged-proof') {
  const afterAuth: number[] = [];
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: () => SUBPROTOCOL });
  wss.on('headers', (headers) => headers.push(`${Header.id}: ${id}`, `${Header.nonce}: ${newNonce()}`));
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const frame = codec.decode(data);
      if (!Array.isArray(frame) || frame[0] !== FrameKind.Auth) return void afterAuth.push(Array.isArray(frame) ? frame[0] : -1);
      if (mode === 'flood') ws.send(Buffer.alloc(64 * 1024));
      else ws.send(codec.encode(FrameKind.AuthOk, 0, '', Buffer.alloc(32, 7)));
    });
  });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const address = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  return { address, afterAuth, close: () => new Promise<void>((resolve) => wss.close(() => resolve())), wss };
}

describe('dialing an impostor that does not know the secret or the token', () => {
  const nodes: WsTransport[] = [];
  const cleanup: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
    await Promise.all(cleanup.splice(0).map((f) => f()));
  });

  it('a node refuses a listener whose AuthOk proof is wrong, and sends it nothing', async () => {
    const fake = await impostor('node-b');
    cleanup.push(fake.close);
    const a = await startNode('node-a', { reconnect: { initialMs: 60_000, maxMs: 60_000 } });
    nodes.push(a);
    a.setPeerAddress('node-b', fake.address);
    const err = await a.request('node-b', env('replica.put', { key: 'secret-data' }), { timeoutMs: 10_000 }).catch((e: unknown) => e);
    expect(isDynamisError(err, 'UNAVAILABLE')).toBe(true);
    expect(a.stats().authFailures).toBe(1);
    expect(a.stats().peers['node-b']?.connected).toBe(false);
    expect(fake.afterAuth).toEqual([]);
  });

  it('a client refuses a listener whose AuthOk proof is wrong (UNAUTHORIZED), and sends it nothing', async () => {
    const fake = await impostor('server');
    cleanup.push(fake.close);
    const c = new WsClient({ address: fake.address, clientId: 'app', token: TOKEN }, clock, quietLogger);
    cleanup.push(() => c.close());
    const err = await c.connect().catch((e: unknown) => e);
    expect(isDynamisError(err, 'UNAUTHORIZED')).toBe(true);
    expect((err as Error).message).toMatch(/prove/);
    await expect(c.request({ type: 'client.get', payload: 'k' }, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(c.stats().authFailures).toBe(1);
    expect(fake.afterAuth).toEqual([]);
  });

  it('a client and a node refuse a first message over the pre-auth limit (1009) without buffering it', async () => {
    const fake = await impostor('node-b', 'flood');
    cleanup.push(fake.close);
    const c = new WsClient({ address: fake.address, clientId: 'app', token: TOKEN }, clock, quietLogger);
    cleanup.push(() => c.close());
    // UNAVAILABLE, not UNAUTHORIZED: ws refused the message from its header; it was never decoded as a (wrong) AuthOk.
    const err = await c.connect().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect(c.stats().authFailures).toBe(0);
    const a = await startNode('node-a', { reconnect: { initialMs: 60_000, maxMs: 60_000 } });
    nodes.push(a);
    a.setPeerAddress('node-b', fake.address);
    await expect(a.request('node-b', env('x'), { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect([a.stats().authFailures, a.stats().protocolViolations]).toEqual([0, 0]);
    expect(fake.afterAuth).toEqual([]);
  });
});
