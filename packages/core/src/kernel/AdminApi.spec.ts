import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { parseConfig } from '../config/parseConfig';
import { DynamisError } from '../errors/DynamisError';
import type { HintStore } from '../ports/HintStore';
import type { Member, Membership } from '../ports/Membership';
import type { Partitioner, Placement } from '../ports/Partitioner';
import type { Rebalancer } from '../ports/Rebalancer';
import type { StorageEngine } from '../ports/StorageEngine';
import { AdminApi } from './AdminApi';
import { ADMIN_MESSAGE, ADMIN_REPLY, adminStatusSchema } from './adminProtocol';
import { clientSenderId } from './clientSender';
import { MessageRouter } from './MessageRouter';

const config = parseConfig({ nodeId: 'b', log: { level: 'silent' }, replication: { n: 2, w: 1, r: 1 } });

const members: Member[] = [
  { id: 'c', address: 'h:3', status: 'down' },
  { id: 'a', address: 'h:1', status: 'up', zone: 'z1' },
  { id: 'b', address: 'h:2', status: 'up' },
];
const membership = { members: () => members } as unknown as Membership;

/** 4 partitions; partition p's preference list starts at node p mod 3 of [a, b, c]. */
const nodes = ['a', 'b', 'c'];
const placement = {
  partitionCount: 4,
  partitions: [0, 1, 2, 3].map((id) => ({ id, start: 0n, end: 0n })),
  preferenceList: (p: number, n: number) => [0, 1, 2].map((i) => nodes[(p + i) % 3]!).slice(0, n),
} as unknown as Placement;
const partitioner = { placement: () => placement } as unknown as Partitioner;

const engine = (open: boolean): StorageEngine =>
  ({
    stats: () => {
      if (!open) throw new DynamisError('NOT_OPEN', 'closed');
      return { engine: 'memory', approximateBytes: 42, counters: { keys: 3 } };
    },
  }) as unknown as StorageEngine;
const hints = { stats: () => ({ pending: { c: 5, a: 1 }, dropped: 0, delivered: 0 }) } as unknown as HintStore;
const progress = {
  placementHash: 'ab12',
  pending: 2,
  streaming: 1,
  done: 3,
  toDrop: 4,
  dropped: 0,
  bytesMoved: 1000,
  keysMoved: 10,
  bytesPerSecond: 500,
  settled: false,
};
const rebalancer = { progress: () => ({ ...progress, extra: 'not reported' }) } as unknown as Rebalancer;

describe('AdminApi (client.admin.status)', () => {
  it("reports this node's id, members sorted by id, partitions it owns and replicates, engine stats, pending hints and rebalance progress", () => {
    const api = new AdminApi(new MessageRouter(), {
      config,
      plugins: ['p1', 'p2'],
      membership,
      partitioner,
      engine: engine(true),
      hints,
      rebalancer,
    });
    const status = api.status();
    expect(adminStatusSchema.parse(status)).toEqual(status);
    expect(status).toEqual({
      nodeId: 'b',
      plugins: ['p1', 'p2'],
      replication: { n: 2, w: 1, r: 1 },
      members: [
        { id: 'a', address: 'h:1', status: 'up', zone: 'z1' },
        { id: 'b', address: 'h:2', status: 'up' },
        { id: 'c', address: 'h:3', status: 'down' },
      ],
      // Lists (N=2): p0 [a,b], p1 [b,c], p2 [c,a], p3 [a,b] → b first of p1 only, in p0, p1, p3.
      partitions: { total: 4, owned: 1, replicated: 3 },
      engine: { engine: 'memory', approximateBytes: 42, counters: { keys: 3 } },
      hints: { pending: { c: 5, a: 1 }, total: 6 },
      rebalance: progress,
    });
  });

  it('passes the rebalance ETA on when the rebalancer knows one', () => {
    const withEta = { progress: () => ({ ...progress, etaSeconds: 7 }) } as unknown as Rebalancer;
    const status = new AdminApi(new MessageRouter(), { config, plugins: [], rebalancer: withEta }).status();
    expect(adminStatusSchema.parse(status).rebalance).toEqual({ ...progress, etaSeconds: 7 });
  });

  it('leaves out what the node lacks or what is not open, and lists only itself without a Membership', () => {
    const status = new AdminApi(new MessageRouter(), { config, plugins: [], engine: engine(false) }).status();
    expect(status).toEqual({
      nodeId: 'b',
      plugins: [],
      replication: { n: 2, w: 1, r: 1 },
      members: [{ id: 'b', address: '', status: 'up' }],
    });
  });

  it('answers a client over the router once started, refuses a node sender and extra fields, and stops answering after stop', async () => {
    const router = new MessageRouter();
    const api = new AdminApi(router, { config, plugins: [], membership });
    const ask = (from: string, payload: unknown) => router.dispatch(from, { type: ADMIN_MESSAGE.status, payload });
    await expect(ask(clientSenderId('ops'), {})).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    api.start();
    api.start();
    const reply = await ask(clientSenderId('ops'), {});
    expect(reply).toMatchObject({ type: ADMIN_REPLY.status, payload: { nodeId: 'b' } });
    expect(adminStatusSchema.parse((reply as { payload: unknown }).payload).members).toHaveLength(3);
    await expect(ask('node-x', {})).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    await expect(ask(clientSenderId('ops'), { write: true })).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    api.stop();
    await expect(ask(clientSenderId('ops'), {})).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
  });

  it('client.admin.leave: starts the leave of the node it names, refuses another node’s name and a node in no cluster', async () => {
    const router = new MessageRouter();
    let state: 'member' | 'handing-off' | 'left' = 'member';
    let begun = 0;
    const departure = {
      state: () => state,
      begin: () => {
        begun++;
        state = 'handing-off';
        return new Promise<void>(() => undefined);
      },
    };
    const api = new AdminApi(router, { config, plugins: [], membership, departure });
    api.start();
    const leave = (payload: unknown) => router.dispatch(clientSenderId('ops'), { type: ADMIN_MESSAGE.leave, payload });
    await expect(leave({ nodeId: 'a' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(leave({})).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(begun).toBe(0);
    expect(api.status().departure).toBe('member');
    expect(await leave({ nodeId: 'b' })).toEqual({ type: ADMIN_REPLY.leave, payload: { nodeId: 'b', departure: 'handing-off' } });
    expect(api.status().departure).toBe('handing-off');
    expect(await leave({ nodeId: 'b' })).toEqual({ type: ADMIN_REPLY.leave, payload: { nodeId: 'b', departure: 'handing-off' } });
    expect(begun).toBe(2); // the node's begin() is idempotent while under way; the API does not second-guess it
    await expect(router.dispatch('node-x', { type: ADMIN_MESSAGE.leave, payload: { nodeId: 'b' } })).rejects.toMatchObject({
      code: 'UNAUTHORIZED',
    });
    const refusing = {
      state: () => 'member' as const,
      begin: (): Promise<void> => {
        throw new DynamisError('INVALID_ARGUMENT', 'has already left');
      },
    };
    const router2 = new MessageRouter();
    new AdminApi(router2, { config, plugins: [], departure: refusing }).start();
    await expect(router2.dispatch(clientSenderId('ops'), { type: ADMIN_MESSAGE.leave, payload: { nodeId: 'b' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'has already left',
    });
    const router3 = new MessageRouter();
    new AdminApi(router3, { config, plugins: [] }).start();
    await expect(router3.dispatch(clientSenderId('ops'), { type: ADMIN_MESSAGE.leave, payload: { nodeId: 'b' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });
});
