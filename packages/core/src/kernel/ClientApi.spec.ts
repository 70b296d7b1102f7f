import 'reflect-metadata';
import { describe, expect, it } from '@jest/globals';
import { injectable } from 'inversify';
import { parseConfig } from '../config/parseConfig';
import { ConsoleLogger } from '../env/ConsoleLogger';
import { ManualClock } from '../env/ManualClock';
import { DynamisError } from '../errors/DynamisError';
import {
  CoordinatorToken,
  type Coordinator,
  type ReadResult,
  type ScanOptions,
  type ScanPage,
  type StoreBatchOp,
  type WriteOptions,
  type WriteResult,
} from '../ports/Coordinator';
import { TransportToken, type Envelope } from '../ports/Transport';
import { ConflictResolverToken, type ConflictResolver } from '../ports/ConflictResolver';
import { asCausalContext, type CausalContext } from '../ports/types';
import { ClientApi } from './ClientApi';
import { CLIENT_MESSAGE } from './clientProtocol';
import { createNode } from './DynamisNode';
import { MessageRouter, MessageRouterToken } from './MessageRouter';
import { definePlugin } from './Plugin';
import { Store } from './Store';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const ctx = (n: number): CausalContext => asCausalContext(Uint8Array.of(n));

/** A Map-backed coordinator that records the options it was called with. */
class FakeCoordinator implements Coordinator {
  readonly data = new Map<string, Uint8Array>();
  readonly calls: Array<{ op: string; options: unknown }> = [];
  gate: Promise<void> | undefined;
  private n = 0;

  async put(key: string, value: Uint8Array, options: WriteOptions): Promise<WriteResult> {
    this.calls.push({ op: 'put', options });
    await this.gate;
    if (options.ifAbsent && this.data.has(key)) throw new DynamisError('CONFLICT', `${key} exists`, { details: { key } });
    this.data.set(key, value);
    return { context: ctx(++this.n), acks: 1 };
  }
  async get(key: string, options: object): Promise<ReadResult> {
    this.calls.push({ op: 'get', options });
    const value = this.data.get(key);
    return { found: value !== undefined, siblings: value === undefined ? [] : [{ value, writtenAt: 5 }], context: ctx(this.n) };
  }
  async delete(key: string, options: WriteOptions): Promise<WriteResult> {
    this.calls.push({ op: 'delete', options });
    this.data.delete(key);
    return { context: ctx(++this.n), acks: 1 };
  }
  async batch(ops: readonly StoreBatchOp[], options: WriteOptions): Promise<WriteResult[]> {
    this.calls.push({ op: 'batch', options });
    return Promise.all(ops.map((op) => (op.type === 'put' ? this.put(op.key, op.value, {}) : this.delete(op.key, {}))));
  }
  async scan(options: ScanOptions): Promise<ScanPage> {
    this.calls.push({ op: 'scan', options });
    const keys = [...this.data.keys()].sort().filter((k) => options.cursor === undefined || k > options.cursor);
    const page = keys.slice(0, options.limit ?? 100);
    const items = page.map((key) => ({ key, siblings: [{ value: this.data.get(key)!, writtenAt: 5 }], context: ctx(this.n) }));
    return { items, cursor: page.length < keys.length ? page[page.length - 1]! : null };
  }
}

interface Setup {
  api: ClientApi;
  router: MessageRouter;
  coord: FakeCoordinator;
  clock: ManualClock;
}

/** A ClientApi over a FakeCoordinator, on a ManualClock (time moves only in `clock.advance`). */
function setup(limits = {}, timeouts = {}): Setup {
  const config = parseConfig({ limits, timeouts, log: { level: 'silent' } });
  const coord = new FakeCoordinator();
  const router = new MessageRouter();
  const clock = new ManualClock();
  const api = new ClientApi(new Store(coord, config), router, config, clock, new ConsoleLogger('silent'));
  return { api, router, coord, clock };
}

/** Tracks whether a promise has settled, without awaiting it. */
function track<T>(p: Promise<T>): { readonly settled: boolean; readonly result: Promise<T> } {
  const state = { settled: false, result: p };
  p.then(
    () => (state.settled = true),
    () => (state.settled = true),
  );
  return state;
}

const C = 'client:c1';
const call = (router: MessageRouter, type: string, payload: unknown, from = C): Promise<Envelope | void> =>
  router.dispatch(from, { type, payload });

describe('ClientApi', () => {
  it('serves put, get, delete and batch through the router to a client sender', async () => {
    const { api, router, coord } = setup();
    await api.start();
    await expect(
      call(router, CLIENT_MESSAGE.put, { key: 'k', value: enc('v'), options: { ttlMs: 1000, consistency: 'one' } }),
    ).resolves.toEqual({
      type: 'client.put.result',
      payload: { context: ctx(1), acks: 1 },
    });
    expect(coord.calls[0]).toEqual({ op: 'put', options: { ttlMs: 1000, consistency: 'one' } });
    await expect(call(router, CLIENT_MESSAGE.get, { key: 'k', options: { consistency: 2 } })).resolves.toEqual({
      type: 'client.get.result',
      payload: { found: true, siblings: [{ value: enc('v'), writtenAt: 5 }], context: ctx(1) },
    });
    await expect(call(router, CLIENT_MESSAGE.delete, { key: 'k' })).resolves.toMatchObject({
      type: 'client.delete.result',
      payload: { acks: 1 },
    });
    await expect(call(router, CLIENT_MESSAGE.get, { key: 'k' })).resolves.toMatchObject({ payload: { found: false, siblings: [] } });
    const ops = [
      { type: 'put', key: 'a', value: enc('1') },
      { type: 'del', key: 'b', context: ctx(9) },
    ];
    const reply = (await call(router, CLIENT_MESSAGE.batch, { ops })) as Envelope;
    expect(reply.type).toBe('client.batch.result');
    expect((reply.payload as { results: unknown[] }).results).toHaveLength(2);
    expect(coord.data.get('a')).toEqual(enc('1'));
  });

  it('serves client.scan: the Store checks its options, the reply is the page in wire form', async () => {
    const { api, router, coord } = setup();
    await api.start();
    for (const k of ['a', 'b', 'c']) coord.data.set(k, enc(k));
    const reply = (await call(router, CLIENT_MESSAGE.scan, { limit: 2, prefix: '' })) as Envelope;
    expect(reply).toEqual({
      type: 'client.scan.result',
      payload: {
        items: [
          { key: 'a', siblings: [{ value: enc('a'), writtenAt: 5 }], context: ctx(0) },
          { key: 'b', siblings: [{ value: enc('b'), writtenAt: 5 }], context: ctx(0) },
        ],
        cursor: 'b',
      },
    });
    expect(coord.calls.at(-1)).toEqual({ op: 'scan', options: { limit: 2, prefix: '' } });
    await expect(call(router, CLIENT_MESSAGE.scan, { cursor: 'b' })).resolves.toMatchObject({ payload: { cursor: null } });
    const calls = coord.calls.length;
    await expect(call(router, CLIENT_MESSAGE.scan, { consistency: 'quorum' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(call(router, CLIENT_MESSAGE.scan, { limit: 1001 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(call(router, CLIENT_MESSAGE.scan, { limit: 'ten' })).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(coord.calls.length).toBe(calls);
  });

  it("checks every context a client sends with the resolver's validateContext before the store sees the request", async () => {
    const config = parseConfig({ log: { level: 'silent' } });
    const coord = new FakeCoordinator();
    const router = new MessageRouter();
    const clock = new ManualClock();
    const seen: number[] = [];
    const resolver = {
      validateContext(c: CausalContext, now?: number): void {
        seen.push(c[0]!, now!);
        if (c[0] === 66) throw new DynamisError('INVALID_ARGUMENT', 'bad context');
      },
    } as unknown as ConflictResolver;
    const api = new ClientApi(new Store(coord, config), router, config, clock, new ConsoleLogger('silent'), resolver);
    await api.start();
    await expect(call(router, CLIENT_MESSAGE.put, { key: 'k', value: enc('v'), options: { context: ctx(66) } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(call(router, CLIENT_MESSAGE.put, { key: 'k', value: enc('v'), options: { ifVersion: ctx(66) } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(call(router, CLIENT_MESSAGE.delete, { key: 'k', options: { context: ctx(66) } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    const ops = [
      { type: 'put', key: 'a', value: enc('1'), context: ctx(1) },
      { type: 'del', key: 'b', context: ctx(66) },
    ];
    await expect(call(router, CLIENT_MESSAGE.batch, { ops })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(coord.calls).toEqual([]);
    await expect(call(router, CLIENT_MESSAGE.put, { key: 'k', value: enc('v'), options: { context: ctx(7) } })).resolves.toBeDefined();
    expect(seen).toEqual([66, clock.now(), 66, clock.now(), 66, clock.now(), 1, clock.now(), 66, clock.now(), 7, clock.now()]);
  });

  it('refuses every client type from a node sender (UNAUTHORIZED) without touching the store', async () => {
    const { api, router, coord } = setup();
    await api.start();
    for (const type of Object.values(CLIENT_MESSAGE)) {
      await expect(call(router, type, { key: 'k', value: enc('v'), ops: [] }, 'node-2')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    }
    expect(coord.calls).toEqual([]);
  });

  it('reports the Store errors with their codes: INVALID_KEY, VALUE_TOO_LARGE, INVALID_ARGUMENT, CONFLICT', async () => {
    const { api, router } = setup({ maxValueBytes: 4, maxKeyBytes: 8, maxBatchOps: 2 });
    await api.start();
    await expect(call(router, CLIENT_MESSAGE.put, { key: '', value: enc('v') })).rejects.toMatchObject({ code: 'INVALID_KEY' });
    await expect(call(router, CLIENT_MESSAGE.get, { key: 'x'.repeat(9) })).rejects.toMatchObject({
      code: 'INVALID_KEY',
      details: { bytes: 9, max: 8 },
    });
    await expect(call(router, CLIENT_MESSAGE.put, { key: 'k', value: enc('12345') })).rejects.toMatchObject({
      code: 'VALUE_TOO_LARGE',
      details: { bytes: 5, max: 4 },
    });
    await expect(call(router, CLIENT_MESSAGE.put, { key: 'k', value: enc('v'), options: { consistency: 'most' } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(call(router, CLIENT_MESSAGE.delete, { key: 'k', options: { ttlMs: 5 } })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    const three = [1, 2, 3].map((i) => ({ type: 'del', key: `k${i}` }));
    await expect(call(router, CLIENT_MESSAGE.batch, { ops: three })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await call(router, CLIENT_MESSAGE.put, { key: 'k', value: enc('v'), options: { ifAbsent: true } });
    await expect(call(router, CLIENT_MESSAGE.put, { key: 'k', value: enc('w'), options: { ifAbsent: true } })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
  });

  it('rejects malformed payloads with PROTOCOL_ERROR before the store sees them', async () => {
    const { api, router, coord } = setup();
    await api.start();
    const bad: Array<[string, unknown]> = [
      [CLIENT_MESSAGE.put, { key: 'k', value: 'not bytes' }],
      [CLIENT_MESSAGE.put, { key: 1, value: enc('v') }],
      [CLIENT_MESSAGE.put, { key: 'k', value: enc('v'), extra: true }],
      [CLIENT_MESSAGE.get, { key: 'k', options: { ttlMs: 'soon' } }],
      [CLIENT_MESSAGE.batch, { ops: [{ type: 'merge', key: 'k' }] }],
      [CLIENT_MESSAGE.batch, null],
    ];
    for (const [type, payload] of bad) await expect(call(router, type, payload)).rejects.toMatchObject({ code: 'PROTOCOL_ERROR' });
    expect(coord.calls).toEqual([]);
  });

  it('drains on stop: answers requests in flight, refuses new ones as not applied, then unregisters', async () => {
    const { api, router, coord, clock } = setup();
    await api.start();
    let open!: () => void;
    coord.gate = new Promise<void>((resolve) => (open = resolve));
    const inFlight = call(router, CLIENT_MESSAGE.put, { key: 'k', value: enc('v') });
    await Promise.resolve();
    expect(api.pending).toBe(1);
    const stopped = track(api.stop());
    await expect(call(router, CLIENT_MESSAGE.get, { key: 'k' })).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { shuttingDown: true, applied: false },
    });
    expect(router.types()).toContain(CLIENT_MESSAGE.put);
    await clock.advance(4999); // within timeouts.requestMs: still waiting for the request in flight
    expect(stopped.settled).toBe(false);
    open();
    await expect(inFlight).resolves.toMatchObject({ type: 'client.put.result' });
    await clock.advance(0); // one timer turn for the transport to write the last replies
    expect(stopped.settled).toBe(true);
    await stopped.result;
    expect(router.types()).toEqual([]);
    await api.stop();
  });

  it('drain(lingerMs) keeps refusing as not applied until stop, and stop then unregisters at once', async () => {
    const { api, router, coord, clock } = setup();
    await api.start();
    const drained = track(api.drain(500));
    await clock.advance(499);
    expect(drained.settled).toBe(false); // lingering: still refusing, not yet done
    await expect(call(router, CLIENT_MESSAGE.get, { key: 'k' })).rejects.toMatchObject({ details: { shuttingDown: true, applied: false } });
    await clock.advance(1);
    expect(drained.settled).toBe(true);
    await drained.result;
    await expect(call(router, CLIENT_MESSAGE.put, { key: 'k', value: enc('v') })).rejects.toMatchObject({ details: { applied: false } });
    expect(coord.calls).toEqual([]);
    await api.stop();
    expect(router.types()).toEqual([]);
    await api.start();
    await expect(call(router, CLIENT_MESSAGE.get, { key: 'k' })).resolves.toMatchObject({ payload: { found: false } });
  });

  it('drain gives up waiting after timeouts.requestMs of Clock time when a request never finishes, then lingers', async () => {
    const { api, router, coord, clock } = setup({}, { requestMs: 3000 });
    await api.start();
    coord.gate = new Promise<void>(() => undefined); // the store never answers
    void call(router, CLIENT_MESSAGE.put, { key: 'k', value: enc('v') }).catch(() => undefined);
    await Promise.resolve();
    expect(api.pending).toBe(1);
    const drained = track(api.drain(100));
    await clock.advance(2999);
    expect(drained.settled).toBe(false);
    await clock.advance(1); // the drain timeout: stop waiting for the stuck request
    expect(drained.settled).toBe(false); // ...and linger 100 ms more
    await clock.advance(100);
    expect(drained.settled).toBe(true);
    expect(api.pending).toBe(1);
    expect(clock.pendingTimers()).toBe(0);
  });
});

describe('ClientApi in a node', () => {
  @injectable()
  class NullTransport {
    readonly self = 'node-1';
    setHandler(): void {}
    setPeerAddress(): void {}
    forgetPeerAddress(): void {}
    address(): string | undefined {
      return undefined;
    }
    async request(): Promise<Envelope> {
      throw new DynamisError('UNAVAILABLE', 'none');
    }
    send(): void {}
    async stream(): Promise<Envelope> {
      throw new DynamisError('UNAVAILABLE', 'none');
    }
    async start(): Promise<void> {}
    async stop(): Promise<void> {}
  }
  const coordinator = definePlugin({
    name: 'test/coordinator',
    version: '1.0.0',
    core: '^0.1.0',
    provides: ['Coordinator'],
    needs: [],
    register: ({ bind }) => void bind(CoordinatorToken).toConstantValue(new FakeCoordinator()),
  });
  const transport = definePlugin({
    name: 'test/transport',
    version: '1.0.0',
    core: '^0.1.0',
    provides: ['Transport'],
    needs: [],
    register: ({ bind }) => void bind(TransportToken).to(NullTransport).inSingletonScope(),
  });
  const quiet = { log: { level: 'silent' } };

  it('is active only when a plugin provides Transport, registering on start and unregistering on stop', async () => {
    const plain = await createNode(quiet, [coordinator]);
    await plain.start();
    expect(plain.resolve(MessageRouterToken).types()).toEqual([]);
    await plain.stop();

    const node = await createNode(quiet, [coordinator, transport]);
    await node.start();
    const router = node.resolve(MessageRouterToken);
    expect(router.types()).toEqual([
      'client.admin.leave',
      'client.admin.repair',
      'client.admin.ring',
      'client.admin.status',
      'client.batch',
      'client.delete',
      'client.get',
      'client.put',
      'client.scan',
    ]);
    await expect(router.dispatch(C, { type: CLIENT_MESSAGE.get, payload: { key: 'k' } })).resolves.toMatchObject({
      payload: { found: false },
    });
    await node.stop();
    expect(router.types()).toEqual([]);
  });

  it("is given the node's ConflictResolver when one is composed, and refuses a context it rejects", async () => {
    const refuseAll = {
      validateContext(): void {
        throw new DynamisError('INVALID_ARGUMENT', 'no contexts here');
      },
    } as unknown as ConflictResolver;
    const resolver = definePlugin({
      name: 'test/resolver',
      version: '1.0.0',
      core: '^0.1.0',
      provides: ['ConflictResolver'],
      needs: [],
      register: ({ bind }) => void bind(ConflictResolverToken).toConstantValue(refuseAll),
    });
    const node = await createNode(quiet, [coordinator, transport, resolver]);
    await node.start();
    const router = node.resolve(MessageRouterToken);
    const put = { type: CLIENT_MESSAGE.put, payload: { key: 'k', value: enc('v'), options: { context: ctx(1) } } };
    await expect(router.dispatch(C, put)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'no contexts here' });
    await node.stop();
  });
});
