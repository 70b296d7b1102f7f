import { afterEach, describe, expect, it } from '@jest/globals';
import { DynamisClient } from '@dynamis/client';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { ClientApiToken, createNode, TransportToken, type DynamisNode } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { wsTransport } from '@dynamis/transport-ws';

const TOKEN = 'client-token-0123456789abcdef';
const nodes: DynamisNode[] = [];
const clients: DynamisClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const n of nodes.splice(0)) await n.stop();
});

async function wsNode(id: string): Promise<DynamisNode> {
  const node = await createNode({ nodeId: id, log: { level: 'silent' }, listen: { host: '127.0.0.1', port: 0 } }, [
    wsTransport({ secret: 'test-cluster-secret-0123456789', clientTokens: { app: TOKEN } }),
    memoryEngine(),
    lwwResolver(),
    localCoordinator(),
  ]);
  await node.start();
  nodes.push(node);
  return node;
}

const address = (n: DynamisNode): string => n.resolve(TransportToken).address()!;

describe('@dynamis/client and a node whose client API is not started', () => {
  it('a put refused as not started is retried on the next node (even a write: provably not applied)', async () => {
    const a = await wsNode('a');
    const b = await wsNode('b');
    await a.resolve(ClientApiToken).stop(); // the client types stay declared: answered UNAVAILABLE notStarted
    const client = await DynamisClient.connect({ nodes: [address(a), address(b)], clientId: 'app', token: TOKEN, timeoutMs: 10_000 });
    clients.push(client);
    await expect(client.put('k', Buffer.from('v'))).resolves.toMatchObject({ acks: 1 });
    expect((await b.store.get('k')).found).toBe(true);
    expect((await a.store.get('k')).found).toBe(false);
  });

  it('with no other node the caller gets UNAVAILABLE, applied: false', async () => {
    const a = await wsNode('a');
    await a.resolve(ClientApiToken).stop();
    const client = await DynamisClient.connect({
      nodes: [address(a)],
      clientId: 'app',
      token: TOKEN,
      retries: 1,
      backoff: { initialMs: 1, maxMs: 1 },
    });
    clients.push(client);
    const err = await client.put('k', Buffer.from('v')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAVAILABLE', details: { applied: false } });
    expect((await a.store.get('k')).found).toBe(false);
  });
});
