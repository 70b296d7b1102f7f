import { afterEach, describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import {
  createNode,
  definePlugin,
  MessageRouterToken,
  PeerRpcToken,
  TransportToken,
  type DynamisError,
  type DynamisNode,
  type Lifecycle,
  type NodeId,
  type Plugin,
} from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { Simulation, simulatedEnvironment } from '@dynamis/testkit';
import { wsTransport } from '@dynamis/transport-ws';
import { z } from 'zod';

/** Serves 'svc.who': answers with this node's id and what it was sent. */
function whoService(): Plugin {
  const token = Symbol.for('test.Who');
  return definePlugin({
    name: 'test/who',
    version: '1.0.0',
    core: '^0.1.0',
    provides: [],
    needs: ['MessageRouter', 'Config', 'PeerRpc'],
    messages: ['svc.who'],
    background: [token],
    register: ({ bind }) => {
      bind(token).toDynamicValue((ctx): Lifecycle => {
        const router = ctx.get(MessageRouterToken);
        const self = ctx.get(PeerRpcToken).self;
        return {
          start: async () =>
            router.register('svc.who', z.object({ n: z.number() }), async (from, p) => ({
              type: 'svc.who.ok',
              payload: { node: self, from, n: p.n },
            })),
          stop: async () => router.unregister('svc.who'),
        };
      });
    },
  });
}

const reply = z.object({ node: z.string(), from: z.string(), n: z.number() });
const common = (): Plugin[] => [memoryEngine(), lwwResolver(), localCoordinator(), whoService()];
const started: DynamisNode[] = [];
afterEach(async () => {
  for (const node of started.splice(0)) await node.stop();
});

describe('PeerRpc over real sockets (WsTransport)', () => {
  it('calls the other node and this node; the call to self works whatever the transport does with a request to its own id', async () => {
    const ids: NodeId[] = ['w1', 'w2'];
    const nodes: DynamisNode[] = [];
    for (const id of ids) {
      const node = await createNode({ nodeId: id, log: { level: 'silent' }, listen: { host: '127.0.0.1', port: 0 } }, [
        wsTransport({ secret: 'test-cluster-secret-0123456789' }),
        ...common(),
      ]);
      await node.start();
      started.push(node);
      nodes.push(node);
    }
    const [n1, n2] = nodes as [DynamisNode, DynamisNode];
    n1.resolve(TransportToken).setPeerAddress('w2', n2.resolve(TransportToken).address()!);
    n2.resolve(TransportToken).setPeerAddress('w1', n1.resolve(TransportToken).address()!);
    const rpc = n1.resolve(PeerRpcToken);
    await expect(rpc.call('w2', 'svc.who', { n: 1 }, { replySchema: reply, timeoutMs: 10_000 })).resolves.toEqual({
      node: 'w2',
      from: 'w1',
      n: 1,
    });
    await expect(rpc.call('w1', 'svc.who', { n: 2 }, { replySchema: reply, timeoutMs: 10_000 })).resolves.toEqual({
      node: 'w1',
      from: 'w1',
      n: 2,
    });
    // What the transport itself does with a request to its own id (allowed either way by the Transport contract).
    const raw = await n1
      .resolve(TransportToken)
      .request('w1', { type: 'svc.who', payload: { n: 3 } }, { timeoutMs: 10_000 })
      .then(
        () => 'served',
        (e: DynamisError) => e.code,
      );
    expect(['served', 'UNAVAILABLE']).toContain(raw);
    // An error on self looks like one from a peer: the same code and details.
    const remote = await rpc.call('w2', 'svc.who', { n: 'x' }, { replySchema: reply }).catch((e: DynamisError) => e);
    const local = await rpc.call('w1', 'svc.who', { n: 'x' }, { replySchema: reply }).catch((e: DynamisError) => e);
    expect(local).toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect((local as DynamisError).code).toBe((remote as DynamisError).code);
    expect((local as DynamisError).details.problems).toEqual((remote as DynamisError).details.problems);
  });
});

describe('PeerRpc over the simulated network (SimTransport)', () => {
  it('calls the other node and this node on virtual time', async () => {
    const sim = new Simulation({ seed: 11, nodes: ['s1', 's2'] });
    const nodes: DynamisNode[] = [];
    for (const id of ['s1', 's2']) {
      const node = await createNode({ nodeId: id, log: { level: 'silent' } }, [simulatedEnvironment(sim, id), ...common()]);
      await node.start();
      started.push(node);
      nodes.push(node);
    }
    const rpc = nodes[0]!.resolve(PeerRpcToken);
    const results: unknown[] = [];
    rpc.call('s2', 'svc.who', { n: 1 }, { replySchema: reply, timeoutMs: 1000 }).then((r) => results.push(r));
    rpc.call('s1', 'svc.who', { n: 2 }, { replySchema: reply, timeoutMs: 1000 }).then((r) => results.push(r));
    await sim.runUntil(() => results.length === 2, 2000);
    expect(results).toContainEqual({ node: 's2', from: 's1', n: 1 });
    expect(results).toContainEqual({ node: 's1', from: 's1', n: 2 });
    // The deadline is on the node's virtual Clock: cut off from s2, the call fails TIMEOUT once 250 virtual ms have passed.
    sim.network.partition([['s1'], ['s2']]);
    let failure: unknown;
    const before = sim.now();
    rpc.call('s2', 'svc.who', { n: 3 }, { replySchema: reply, timeoutMs: 250 }).catch((e: unknown) => (failure = e));
    await sim.runUntil(() => failure !== undefined, 2000);
    expect(failure).toMatchObject({ code: 'TIMEOUT' });
    expect(sim.now() - before).toBeGreaterThanOrEqual(250);
  });
});

describe('PeerRpc in a node without a Transport', () => {
  it('serves calls to this node and refuses others UNAVAILABLE, not sent', async () => {
    const sim = new Simulation({ seed: 12, nodes: ['solo'] });
    const node = await createNode({ nodeId: 'solo', log: { level: 'silent' } }, [
      simulatedEnvironment(sim, 'solo', { transport: false }),
      ...common(),
    ]);
    await node.start();
    started.push(node);
    const rpc = node.resolve(PeerRpcToken);
    await expect(rpc.call('solo', 'svc.who', { n: 1 }, { replySchema: reply })).resolves.toEqual({ node: 'solo', from: 'solo', n: 1 });
    await expect(rpc.call('other', 'svc.who', { n: 1 }, { replySchema: reply })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { sent: false },
    });
  });
});
