import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer } from 'node:net';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { createNode, MembershipToken, PeerRpcToken, TransportToken, type DynamisNode, type NodeId } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { wsTransport } from '@dynamis/transport-ws';
import { z } from 'zod';
import { staticMembership } from '../src';

const SECRET = 'membership-static-test-secret';
const IDS: NodeId[] = ['n1', 'n2', 'n3'];

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('static membership over transport-ws (real sockets, 3 nodes in one process)', () => {
  const nodes = new Map<NodeId, DynamisNode>();
  afterEach(async () => {
    for (const node of nodes.values()) await node.stop().catch(() => undefined);
    nodes.clear();
  });

  it('learns peer addresses from the seeds through the kernel, sees a stopped node down and a restarted one up', async () => {
    const ports = new Map<NodeId, number>();
    for (const id of IDS) ports.set(id, await freePort());
    const seeds = IDS.map((id) => `${id}@127.0.0.1:${ports.get(id)}`);
    const start = async (id: NodeId): Promise<void> => {
      const node = await createNode({ nodeId: id, listen: { host: '127.0.0.1', port: ports.get(id)! }, seeds, log: { level: 'silent' } }, [
        wsTransport({ secret: SECRET }),
        memoryEngine(),
        lwwResolver(),
        localCoordinator(),
        staticMembership({ pingIntervalMs: 60, pingTimeoutMs: 50, failuresBeforeDown: 3, minTransitionMs: 0 }),
      ]);
      await node.start();
      nodes.set(id, node);
    };
    for (const id of IDS) await start(id);
    expect(nodes.get('n1')!.resolve(TransportToken).address()).toBe(`ws://127.0.0.1:${ports.get('n1')}`);

    // Nobody called setPeerAddress: the kernel's PeerAddressSync did, from the seeds.
    const pong = z.object({ id: z.string() }).passthrough();
    for (const from of IDS) {
      for (const to of IDS) {
        const reply = await nodes
          .get(from)!
          .resolve(PeerRpcToken)
          .call(to, 'membership.ping', { from }, { replySchema: pong, timeoutMs: 10_000 });
        expect(reply.id).toBe(to);
      }
    }
    const alive = (observer: NodeId, member: NodeId): boolean => nodes.get(observer)!.resolve(MembershipToken).isAlive(member);

    const downs: NodeId[] = [];
    nodes
      .get('n1')!
      .resolve(MembershipToken)
      .on('down', (m) => downs.push(m.id));
    await nodes.get('n3')!.stop();
    await waitFor(() => !alive('n1', 'n3') && !alive('n2', 'n3'), 'n1 and n2 to see n3 down');
    expect(downs).toContain('n3');

    await start('n3');
    await waitFor(() => alive('n1', 'n3') && alive('n2', 'n3'), 'n1 and n2 to see n3 up again');
    for (const to of ['n1', 'n2']) {
      const reply = await nodes
        .get('n3')!
        .resolve(PeerRpcToken)
        .call(to, 'membership.ping', { from: 'n3' }, { replySchema: pong, timeoutMs: 10_000 });
      expect(reply.id).toBe(to);
    }
    expect(alive('n3', 'n1') && alive('n3', 'n2')).toBe(true);
  });
});
