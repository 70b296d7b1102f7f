import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { DynamisError, type Envelope, type NodeId, type Transport } from '@dynamis/core';

/**
 * A few connected transports under test and a way to let time pass. Works for
 * virtual time (the simulated network: `advance` runs the scheduler) and for
 * real sockets (`advance` sleeps).
 */
export interface TransportFixture {
  /** The transport of `node` (one of the ids given to the factory), not yet started. */
  transport(node: NodeId): Transport;
  /** Starts every transport, then tells each one every other's address. */
  start(): Promise<void>;
  /** Lets `ms` of time pass, running whatever is due meanwhile. */
  advance(ms: number): Promise<void>;
  /** Stops every transport and releases everything. Safe after a failed test and when called twice. */
  close(): Promise<void>;
}

/** Creates a fresh fixture with one transport per id in `nodes`; called once per test. */
export type TransportContractFactory = (nodes: readonly NodeId[]) => TransportFixture | Promise<TransportFixture>;

export interface TransportContractOptions {
  /** Granularity of `advance` while waiting for a result, ms (default 10). */
  readonly stepMs?: number;
  /** Longest wait for anything that must happen, ms of fixture time (default 5000). */
  readonly settleMs?: number;
  /** Chunks a stream sender may read beyond what the receiver asked for (default 4). */
  readonly streamReadAhead?: number;
}

const A = 'node-a';
const B = 'node-b';
const UNKNOWN = 'node-nobody';
const forever = (): Promise<never> => new Promise<never>(() => undefined);

/**
 * The Transport port's contract suite. Call it at the top level of a spec
 * file: `transportContract('my transport', (nodes) => fixture)`. Every test
 * builds a fresh fixture for two nodes and closes it afterwards.
 */
export function transportContract(name: string, factory: TransportContractFactory, options: TransportContractOptions = {}): void {
  const stepMs = options.stepMs ?? 10;
  const settleMs = options.settleMs ?? 5000;
  const readAhead = options.streamReadAhead ?? 4;

  describe(`Transport contract: ${name}`, () => {
    let fx: TransportFixture;
    let a: Transport;
    let b: Transport;

    beforeEach(async () => {
      fx = await factory([A, B]);
      a = fx.transport(A);
      b = fx.transport(B);
      // A default handler, as the kernel always installs one; tests replace it.
      a.setHandler(async () => undefined);
      b.setHandler(async () => undefined);
    });
    afterEach(async () => {
      await fx.close();
    });

    /** Advances time until `p` settles; fails the test if it does not within settleMs. */
    async function settle<T>(p: Promise<T>): Promise<PromiseSettledResult<T>> {
      let result: PromiseSettledResult<T> | undefined;
      p.then(
        (value) => (result = { status: 'fulfilled', value }),
        (reason: unknown) => (result = { status: 'rejected', reason }),
      );
      await waitFor(() => result !== undefined, 'the promise to settle');
      return result as PromiseSettledResult<T>;
    }

    async function waitFor(cond: () => boolean, what: string): Promise<void> {
      for (let waited = 0; !cond(); waited += stepMs) {
        if (waited >= settleMs) throw new Error(`timed out after ${settleMs} ms waiting for ${what}`);
        await fx.advance(stepMs);
      }
    }

    async function value<T>(p: Promise<T>): Promise<T> {
      const r = await settle(p);
      if (r.status === 'rejected') throw r.reason;
      return r.value;
    }

    async function rejection(p: Promise<unknown>): Promise<DynamisError> {
      const r = await settle(p);
      if (r.status === 'fulfilled') throw new Error(`expected a rejection, got ${JSON.stringify(r.value)}`);
      expect(r.reason).toBeInstanceOf(DynamisError);
      return r.reason as DynamisError;
    }

    it('has an address once started', async () => {
      await fx.start();
      expect(typeof a.address()).toBe('string');
      expect(a.self).toBe(A);
    });

    it('round-trips a request, preserving payload types and naming the sender', async () => {
      const payload = {
        text: 'héllo ☃',
        n: 42.5,
        neg: -7,
        yes: true,
        nil: null,
        nested: { list: [1, 'two', { three: [3] }], empty: {} },
        bytes: Uint8Array.of(0, 1, 2, 254, 255),
      };
      let seenFrom: NodeId | undefined;
      b.setHandler(async (from, msg) => {
        seenFrom = from;
        return { type: 'echo.reply', payload: msg.payload };
      });
      await fx.start();
      const reply = await value(a.request(B, { type: 'echo', payload }, { timeoutMs: settleMs }));
      expect(seenFrom).toBe(A);
      expect(reply.type).toBe('echo.reply');
      const got = reply.payload as typeof payload;
      expect(got).not.toBe(payload);
      expect({ ...got, bytes: undefined }).toEqual({ ...payload, bytes: undefined });
      expect(Object.prototype.toString.call(got.bytes)).toBe('[object Uint8Array]');
      expect(Array.from(got.bytes)).toEqual([0, 1, 2, 254, 255]);
      for (const p of ['a string', 12345, [1, [2]], Uint8Array.of()]) {
        const r = await value(a.request(B, { type: 'echo', payload: p }, { timeoutMs: settleMs }));
        expect(Object.prototype.toString.call(r.payload)).toBe(Object.prototype.toString.call(p));
        expect(r.payload instanceof Uint8Array ? Array.from(r.payload) : r.payload).toEqual(p instanceof Uint8Array ? [] : p);
      }
    });

    it('rejects with the code and message of a DynamisError thrown by the handler', async () => {
      b.setHandler(async () => {
        throw new DynamisError('CONFLICT', 'version mismatch on k1');
      });
      await fx.start();
      const err = await rejection(a.request(B, { type: 'put', payload: null }, { timeoutMs: settleMs }));
      expect(err.code).toBe('CONFLICT');
      expect(err.message).toContain('version mismatch on k1');
    });

    it('turns any other handler failure into UNAVAILABLE', async () => {
      b.setHandler(async () => {
        throw new TypeError('boom');
      });
      await fx.start();
      const err = await rejection(a.request(B, { type: 'put', payload: null }, { timeoutMs: settleMs }));
      expect(err.code).toBe('UNAVAILABLE');
    });

    it('rejects with TIMEOUT when the peer never answers, and not before the timeout', async () => {
      b.setHandler(forever);
      await fx.start();
      let settled = false;
      const p = a.request(B, { type: 'slow', payload: null }, { timeoutMs: 300 });
      p.then(
        () => (settled = true),
        () => (settled = true),
      );
      await fx.advance(100);
      expect(settled).toBe(false);
      expect((await rejection(p)).code).toBe('TIMEOUT');
    });

    it('rejects with UNAVAILABLE for an unknown peer', async () => {
      await fx.start();
      const err = await rejection(a.request(UNKNOWN, { type: 'x', payload: null }, { timeoutMs: settleMs }));
      expect(err.code).toBe('UNAVAILABLE');
    });

    // A transport may serve a request to its own id or refuse it (UNAVAILABLE);
    // it must answer either way, never hang or fail otherwise. The kernel's
    // PeerRpc does not rely on either: it dispatches calls to self locally.
    it('answers a request to its own id with the reply or refuses it UNAVAILABLE, never hangs', async () => {
      let seenFrom: NodeId | undefined;
      a.setHandler(async (from, msg) => {
        seenFrom = from;
        return { type: 'self.reply', payload: { got: msg.payload } };
      });
      await fx.start();
      const r = await settle(a.request(A, { type: 'self', payload: [1, 'two'] }, { timeoutMs: settleMs }));
      if (r.status === 'fulfilled') {
        expect(r.value).toEqual({ type: 'self.reply', payload: { got: [1, 'two'] } });
        expect(seenFrom).toBe(A);
      } else {
        expect(r.reason).toBeInstanceOf(DynamisError);
        expect((r.reason as DynamisError).code).toBe('UNAVAILABLE');
        expect(seenFrom).toBeUndefined();
      }
    });

    it('delivers a one-way send', async () => {
      const got: Array<[NodeId, Envelope]> = [];
      b.setHandler(async (from, msg) => {
        got.push([from, msg]);
      });
      await fx.start();
      a.send(B, { type: 'gossip', payload: { round: 1 } });
      await waitFor(() => got.length === 1, 'the message');
      expect(got[0]).toEqual([A, { type: 'gossip', payload: { round: 1 } }]);
    });

    it('delivers messages from one sender in order', async () => {
      const seen: number[] = [];
      b.setHandler(async (_from, msg) => {
        seen.push(msg.payload as number);
      });
      await fx.start();
      for (let i = 0; i < 50; i++) a.send(B, { type: 'seq', payload: i });
      await waitFor(() => seen.length === 50, '50 messages');
      expect(seen).toEqual(Array.from({ length: 50 }, (_, i) => i));
    });

    it('matches each reply to its request among many concurrent ones', async () => {
      b.setHandler(async (_from, msg) => ({ type: 'double', payload: (msg.payload as number) * 2 }));
      await fx.start();
      const replies = Array.from({ length: 20 }, (_, i) => a.request(B, { type: 'double', payload: i }, { timeoutMs: settleMs }));
      const values = await value(Promise.all(replies));
      expect(values.map((r) => r.payload)).toEqual(Array.from({ length: 20 }, (_, i) => i * 2));
    });

    it("streams every chunk in order and resolves with the handler's reply", async () => {
      const chunks = Array.from({ length: 10 }, (_, i) => Uint8Array.from({ length: 100 + i }, (_, j) => (i + j) & 0xff));
      b.setHandler(async (_from, msg, body) => {
        const lengths: number[] = [];
        let sum = 0;
        for await (const chunk of body ?? []) {
          lengths.push(chunk.length);
          for (const byte of chunk) sum += byte;
        }
        return { type: 'stream.done', payload: { header: msg.payload, lengths, sum } };
      });
      await fx.start();
      const reply = await value(a.stream(B, { type: 'handoff', payload: 'range-7' }, iterate(chunks), { timeoutMs: settleMs }));
      let sum = 0;
      for (const c of chunks) for (const byte of c) sum += byte;
      expect(reply).toEqual({ type: 'stream.done', payload: { header: 'range-7', lengths: chunks.map((c) => c.length), sum } });
    });

    it('reads a stream body only as fast as the receiver consumes it', async () => {
      let produced = 0;
      async function* source(): AsyncGenerator<Uint8Array> {
        for (let i = 0; i < 50; i++) {
          produced++;
          yield Uint8Array.of(i);
        }
      }
      let release: () => void = () => undefined;
      const gate = new Promise<void>((r) => (release = r));
      let consumed = 0;
      b.setHandler(async (_from, _msg, body) => {
        const it = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
        for (let i = 0; i < 2; i++) if ((await it.next()).done !== true) consumed++;
        await gate;
        while ((await it.next()).done !== true) consumed++;
        return { type: 'ok', payload: consumed };
      });
      await fx.start();
      const p = a.stream(B, { type: 'bulk', payload: null }, source(), { timeoutMs: settleMs });
      await waitFor(() => consumed === 2, 'two chunks consumed');
      await fx.advance(200);
      expect(produced).toBeLessThanOrEqual(2 + readAhead);
      release();
      expect((await value(p)).payload).toBe(50);
    });

    it('stop() rejects pending requests with UNAVAILABLE', async () => {
      let arrived = false;
      b.setHandler(async () => {
        arrived = true;
        return forever();
      });
      await fx.start();
      const p = a.request(B, { type: 'slow', payload: null }, { timeoutMs: settleMs });
      await waitFor(() => arrived, 'the request to arrive');
      await a.stop();
      expect((await rejection(p)).code).toBe('UNAVAILABLE');
    });

    it('stop() is safe before start() and when called twice', async () => {
      await a.stop();
      await a.stop();
    });
  });
}

async function* iterate(chunks: readonly Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const c of chunks) yield c;
}
