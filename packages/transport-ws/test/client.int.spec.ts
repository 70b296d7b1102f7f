import { afterEach, describe, expect, it } from '@jest/globals';
import { CLIENT_CORKED_FRAMES } from '../src/conn/TickBatch';
import { WsClient } from '../src/WsClient';
import type { WsTransport } from '../src/WsTransport';
import { clock, quietLogger, startNode, until } from './helpers';

const TOKEN = 'client-token-abcdefghijklmnop';

describe('WsClient', () => {
  const nodes: WsTransport[] = [];
  const clients: WsClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });
  function client(address: string): WsClient {
    const c = new WsClient({ address, clientId: 'app', token: TOKEN }, clock, quietLogger);
    clients.push(c);
    return c;
  }

  it('fails requests UNAVAILABLE before connect and after the node goes away', async () => {
    const node = await startNode('server', { clientTokens: { app: TOKEN } }, () => new Promise(() => undefined));
    nodes.push(node);
    const c = client(node.address()!);
    await expect(c.request({ type: 'client.get', payload: null }, { timeoutMs: 1000 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await c.connect();
    const pending = c.request({ type: 'client.get', payload: null }, { timeoutMs: 5000 }).catch((e: unknown) => e);
    await until(() => node.stats().messagesIn >= 2);
    await node.stop();
    expect(await pending).toMatchObject({ code: 'UNAVAILABLE' });
    expect(c.stats().inFlight).toBe(0);
  });

  it(`writes a burst on a client connection in chunks of ${CLIENT_CORKED_FRAMES} frames, both ways`, async () => {
    const node = await startNode('server', { clientTokens: { app: TOKEN } });
    nodes.push(node);
    const c = client(node.address()!);
    await c.connect();
    await c.request({ type: 'client.get', payload: 'warm-up' }, { timeoutMs: 5000 }); // nothing else in flight
    const [cBefore, nBefore] = [c.stats(), node.stats()];
    const replies = Array.from({ length: 64 }, (_, i) => c.request({ type: 'client.get', payload: i }, { timeoutMs: 5000 }));
    // The client: the first at once, then one write per 16 held, all before the check phase; the last 15 at it.
    expect(c.stats().socketWrites - cBefore.socketWrites).toBe(1 + Math.floor(63 / CLIENT_CORKED_FRAMES));
    await new Promise<void>((r) => setImmediate(r));
    expect(c.stats().socketWrites - cBefore.socketWrites).toBe(1 + Math.ceil(63 / CLIENT_CORKED_FRAMES));
    expect((await Promise.all(replies)).map((r) => r.payload)).toEqual(Array.from({ length: 64 }, (_, i) => i));
    // The node: however the requests arrived, no write carried more than 16 replies (a peer link would hold a
    // whole iteration's replies: requestResponse.int, 50 requests in 2 writes).
    const n = node.stats();
    expect(n.messagesOut - nBefore.messagesOut).toBe(64);
    expect(n.socketWrites - nBefore.socketWrites).toBeGreaterThanOrEqual(64 / CLIENT_CORKED_FRAMES);
  });

  it('cannot connect to nothing, and can abandon a connect', async () => {
    const c = client('127.0.0.1:1');
    await expect(c.connect()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    const node = await startNode('server', { clientTokens: { app: TOKEN } });
    nodes.push(node);
    const d = client(node.address()!);
    const connecting = d.connect().catch((e: unknown) => e);
    await d.close();
    expect(await connecting).toMatchObject({ code: 'UNAVAILABLE' });
    expect(d.server).toBeUndefined();
  });

  it('refuses options without a valid token, never echoing it', () => {
    expect(() => new WsClient({ address: 'h:1', clientId: 'app', token: 'short-secret' }, clock, quietLogger)).toThrow(/token/);
    try {
      new WsClient({ address: 'h:1', clientId: 'app', token: 'short-secret' }, clock, quietLogger);
    } catch (err) {
      expect(String((err as Error).message)).not.toContain('short-secret');
    }
  });
});
