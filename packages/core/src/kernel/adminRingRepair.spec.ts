import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../config/parseConfig';
import { DynamisError } from '../errors/DynamisError';
import type { AntiEntropy, RepairStats } from '../ports/AntiEntropy';
import type { Membership } from '../ports/Membership';
import type { Partitioner, Placement } from '../ports/Partitioner';
import { AdminApi } from './AdminApi';
import { ADMIN_MESSAGE, ADMIN_REPLY, adminRepairSchema, adminRingSchema } from './adminProtocol';
import { clientSenderId } from './clientSender';
import { MessageRouter } from './MessageRouter';

const config = parseConfig({ nodeId: 'b', log: { level: 'silent' }, replication: { n: 2, w: 1, r: 1 } });

/** 4 partitions; partition p's preference list starts at node p mod 3 of [a, b, c]: p0 [a,b], p1 [b,c], p2 [c,a], p3 [a,b]. */
const nodes = ['c', 'a', 'b'];
const order = ['a', 'b', 'c'];
const placement = {
  hash: 'h1',
  partitionCount: 4,
  partitions: [0, 1, 2, 3].map((id) => ({ id, start: 0n, end: 0n })),
  preferenceList: (p: number, n: number) => [0, 1, 2].map((i) => order[(p + i) % 3]!).slice(0, n),
} as unknown as Placement;
const partitioner = { placement: () => placement } as unknown as Partitioner;
const alive = new Set(['a', 'b', 'c']);
const membership = { members: () => [], isAlive: (id: string) => alive.has(id) } as unknown as Membership;

/** An AntiEntropy recording its exchanges; `fail` peers throw TIMEOUT; `gate` holds every exchange until resolved. */
function antiEntropy(fail: string[] = [], gate?: Promise<void>) {
  const calls: string[] = [];
  const ae = {
    async exchange(peer: string, range: number): Promise<RepairStats> {
      calls.push(`${range}:${peer}`);
      await gate;
      if (fail.includes(peer)) throw new DynamisError('TIMEOUT', `${peer} is slow`);
      return { range, peer, nodesCompared: 3, keysSent: 1, keysReceived: 2, bytesTransferred: 100 };
    },
    repairedThrough: () => [],
  } as unknown as AntiEntropy;
  return { ae, calls };
}

const client = clientSenderId('ops');

describe('AdminApi client.admin.ring and client.admin.repair', () => {
  it('ring: every partition with its preference list, as indexes into the sorted node list', async () => {
    const router = new MessageRouter();
    new AdminApi(router, { config, plugins: [], partitioner }).start();
    const reply = (await router.dispatch(client, { type: ADMIN_MESSAGE.ring, payload: {} })) as { type: string; payload: unknown };
    expect(reply.type).toBe(ADMIN_REPLY.ring);
    const ring = adminRingSchema.parse(reply.payload);
    expect(ring).toEqual({
      nodeId: 'b',
      placementHash: 'h1',
      partitionCount: 4,
      n: 2,
      nodes: [...nodes].sort(),
      replicas: [
        [0, 1],
        [1, 2],
        [2, 0],
        [0, 1],
      ],
    });
    const bare = new AdminApi(new MessageRouter(), { config, plugins: [] });
    expect(() => bare.ring()).toThrow(expect.objectContaining({ code: 'MISSING_PROVIDER', details: { port: 'Partitioner' } }));
  });

  it('repair: exchanges each partition this node replicates with each other live replica, sums the stats, lists failures and goes on', async () => {
    alive.delete('c');
    const { ae, calls } = antiEntropy(['a']);
    const api = new AdminApi(new MessageRouter(), { config, plugins: [], partitioner, membership, antiEntropy: ae });
    const r = await api.repair();
    alive.add('c');
    // b replicates p0 [a,b], p1 [b,c], p3 [a,b]; c is down (skipped), a fails
    expect(calls).toEqual(['0:a', '3:a']);
    expect(adminRepairSchema.parse(r)).toEqual({
      nodeId: 'b',
      exchanged: 0,
      skipped: 1,
      failed: 2,
      nodesCompared: 0,
      keysSent: 0,
      keysReceived: 0,
      bytesTransferred: 0,
      failures: [
        { partition: 0, peer: 'a', code: 'TIMEOUT', message: 'a is slow' },
        { partition: 3, peer: 'a', code: 'TIMEOUT', message: 'a is slow' },
      ],
    });
    const ok = antiEntropy();
    const api2 = new AdminApi(new MessageRouter(), { config, plugins: [], partitioner, membership, antiEntropy: ok.ae });
    expect(await api2.repair()).toMatchObject({
      exchanged: 3,
      skipped: 0,
      failed: 0,
      nodesCompared: 9,
      keysSent: 3,
      keysReceived: 6,
      bytesTransferred: 300,
    });
    expect(ok.calls).toEqual(['0:a', '1:c', '3:a']);
    expect(await api2.repair(1)).toMatchObject({ exchanged: 1 });
    await expect(api2.repair(2)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', details: { partition: 2, replicas: ['c', 'a'] } });
    await expect(api2.repair(4)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('repair is refused MISSING_PROVIDER without anti-entropy, and UNAVAILABLE busy while a round runs', async () => {
    const router = new MessageRouter();
    new AdminApi(router, { config, plugins: [], partitioner }).start();
    await expect(router.dispatch(client, { type: ADMIN_MESSAGE.repair, payload: {} })).rejects.toMatchObject({
      code: 'MISSING_PROVIDER',
      details: { port: 'AntiEntropy' },
    });
    let open!: () => void;
    const { ae } = antiEntropy([], new Promise<void>((r) => (open = r)));
    const busy = new MessageRouter();
    new AdminApi(busy, { config, plugins: [], partitioner, membership, antiEntropy: ae }).start();
    const first = busy.dispatch(client, { type: ADMIN_MESSAGE.repair, payload: { partition: 0 } });
    await expect(busy.dispatch(client, { type: ADMIN_MESSAGE.repair, payload: {} })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { busy: true },
    });
    open();
    await expect(first).resolves.toMatchObject({ type: ADMIN_REPLY.repair, payload: { exchanged: 1 } });
    await expect(busy.dispatch(client, { type: ADMIN_MESSAGE.repair, payload: { partition: -1 } })).rejects.toMatchObject({
      code: 'PROTOCOL_ERROR',
    });
  });
});
