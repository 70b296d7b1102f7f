import { afterEach, describe, expect, it } from '@jest/globals';
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
