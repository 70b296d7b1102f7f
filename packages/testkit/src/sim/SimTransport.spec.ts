import { describe, expect, it } from '@jest/globals';
import { DynamisError, type InboundHandler } from '@dynamis/core';
import { Simulation } from './Simulation';
import { SIM_STREAM_CREDIT } from './SimTransport';

async function pair(handler: InboundHandler) {
  const sim = new Simulation({ seed: 5, nodes: ['a', 'b'] });
  const a = sim.transport('a');
  const b = sim.transport('b');
  a.setHandler(async () => undefined);
  b.setHandler(handler);
  await a.start();
  await b.start();
  return { sim, a, b };
}

/** Settles `p` while running the simulation; returns the value or the error. */
async function run<T>(sim: Simulation, p: Promise<T>): Promise<T | DynamisError> {
  let out: { v: T } | { e: unknown } | undefined;
  p.then(
    (v) => (out = { v }),
    (e: unknown) => (out = { e }),
  );
  await sim.runUntil(() => out !== undefined, 60_000);
  if (out !== undefined && 'v' in out) return out.v;
  if (out !== undefined && out.e instanceof DynamisError) return out.e;
  throw (out as { e: unknown }).e;
}

async function* counted(n: number, log: string[]): AsyncGenerator<Uint8Array> {
  try {
    for (let i = 0; i < n; i++) {
      log.push(`read${i}`);
      yield Uint8Array.of(i);
    }
  } finally {
    log.push('closed');
  }
}

describe('SimTransport', () => {
  it('never lets sender and receiver share payload objects', async () => {
    let seen: { list: number[]; bytes: Uint8Array } | undefined;
    const { sim, a } = await pair(async (_from, msg) => {
      seen = msg.payload as typeof seen;
      return { type: 'r', payload: msg.payload };
    });
    const payload = { list: [1, 2], bytes: Buffer.from([9, 9]) };
    const p = a.request('b', { type: 'q', payload }, { timeoutMs: 100 });
    payload.list.push(3);
    payload.bytes[0] = 0;
    const reply = await run(sim, p);
    expect(seen).toEqual({ list: [1, 2], bytes: Uint8Array.of(9, 9) });
    expect(Buffer.isBuffer(seen?.bytes)).toBe(false);
    seen?.list.push(4);
    expect(reply).toEqual({ type: 'r', payload: { list: [1, 2], bytes: Uint8Array.of(9, 9) } });
  });

  it('refuses payloads a wire cannot carry', async () => {
    const { sim, a } = await pair(async () => ({ type: 'r', payload: new Map() }));
    expect(() => a.send('b', { type: 'q', payload: { when: new Date(0) } })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const err = await run(sim, a.request('b', { type: 'q', payload: [() => 1] }, { timeoutMs: 100 }));
    expect(err).toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('payload[0]') });
    const cyclic: Record<string, unknown> = {};
    cyclic['self'] = cyclic;
    expect(await run(sim, a.request('b', { type: 'q', payload: cyclic }, { timeoutMs: 100 }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await run(sim, a.request('b', { type: 'q', payload: 1 }, { timeoutMs: 100 }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('carries a DynamisError back with its code, message and details', async () => {
    const { sim, a } = await pair(async () => {
      throw new DynamisError('QUORUM_NOT_REACHED', 'only 1 of 2', { details: { answered: ['x'] } });
    });
    const err = await run(sim, a.request('b', { type: 'q', payload: null }, { timeoutMs: 100 }));
    expect(err).toBeInstanceOf(DynamisError);
    expect(err).toMatchObject({ code: 'QUORUM_NOT_REACHED', message: 'only 1 of 2', details: { answered: ['x'] } });
  });

  it('answers PROTOCOL_ERROR when a request handler returns no reply, UNAVAILABLE when no handler is set', async () => {
    const { sim, a, b } = await pair(async () => undefined);
    expect(await run(sim, a.request('b', { type: 'q', payload: null }, { timeoutMs: 100 }))).toMatchObject({ code: 'PROTOCOL_ERROR' });
    const c = sim.network.endpoint('c');
    await c.start();
    expect(await run(sim, b.request('c', { type: 'q', payload: null }, { timeoutMs: 100 }))).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('validates request options and refuses to send while not running', async () => {
    const { sim, a } = await pair(async () => ({ type: 'r', payload: null }));
    expect(await run(sim, a.request('b', { type: 'q', payload: null }, { timeoutMs: 0 }))).toMatchObject({ code: 'INVALID_ARGUMENT' });
    await a.stop();
    expect(a.address()).toBeUndefined();
    expect(await run(sim, a.request('b', { type: 'q', payload: null }, { timeoutMs: 10 }))).toMatchObject({ code: 'UNAVAILABLE' });
    await a.start();
    expect(a.address()).toBe('sim://a');
    expect(await run(sim, a.request('b', { type: 'q', payload: null }, { timeoutMs: 10 }))).toEqual({ type: 'r', payload: null });
  });

  it('streams with credit flow control, as transport-ws does: the source is read at most SIM_STREAM_CREDIT chunks ahead', async () => {
    const log: string[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const { sim, a } = await pair(async (_from, _msg, body) => {
      const it = (body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      log.push(`got${(await it.next()).value?.[0]}`);
      await gate;
      let n = 1;
      while ((await it.next()).done !== true) n++;
      return { type: 'done', payload: n };
    });
    const p = a.stream('b', { type: 's', payload: null }, counted(40, log), { timeoutMs: 10_000 });
    await sim.runFor(500);
    const reads = (): number => log.filter((e) => e.startsWith('read')).length;
    expect([reads(), log.includes('got0')]).toEqual([SIM_STREAM_CREDIT, true]);
    release();
    expect(await run(sim, p)).toEqual({ type: 'done', payload: 40 });
    expect([reads(), log.at(-1)]).toEqual([40, 'closed']);
  });

  it('closes the source when the handler stops reading early', async () => {
    const log: string[] = [];
    const { sim, a } = await pair(async (_from, _msg, body) => {
      for await (const chunk of body as AsyncIterable<Uint8Array>) if (chunk[0] === 1) break;
      return { type: 'enough', payload: null };
    });
    expect(await run(sim, a.stream('b', { type: 's', payload: null }, counted(100, log), { timeoutMs: 1000 }))).toEqual({
      type: 'enough',
      payload: null,
    });
    await sim.runFor(50);
    expect(log.at(-1)).toBe('closed');
    expect(log.filter((e) => e.startsWith('read')).length).toBeLessThanOrEqual(SIM_STREAM_CREDIT); // no credit granted back for 2 chunks
  });

  it('fails both ends when the source throws', async () => {
    let receiverError: unknown;
    const { sim, a } = await pair(async (_from, _msg, body) => {
      try {
        for await (const _ of body as AsyncIterable<Uint8Array>);
      } catch (err) {
        receiverError = err;
      }
      return { type: 'x', payload: null };
    });
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield Uint8Array.of(1);
      throw new DynamisError('IO_ERROR', 'disk gone');
    }
    expect(await run(sim, a.stream('b', { type: 's', payload: null }, broken(), { timeoutMs: 1000 }))).toMatchObject({ code: 'IO_ERROR' });
    await sim.runFor(50);
    expect(receiverError).toMatchObject({ code: 'IO_ERROR' });
  });

  it('times a stalled stream out and resets the receiver; a stop mid-stream does the same', async () => {
    const errors: unknown[] = [];
    const { sim, a } = await pair(async (_from, _msg, body) => {
      try {
        for await (const _ of body as AsyncIterable<Uint8Array>);
      } catch (err) {
        errors.push(err);
      }
      return { type: 'x', payload: null };
    });
    const never = (async function* (): AsyncGenerator<Uint8Array> {
      yield Uint8Array.of(1);
      await new Promise<never>(() => undefined);
    })();
    expect(await run(sim, a.stream('b', { type: 's', payload: null }, never, { timeoutMs: 300 }))).toMatchObject({ code: 'TIMEOUT' });
    await sim.runFor(10);
    expect(errors).toMatchObject([{ code: 'UNAVAILABLE' }]);
    const log: string[] = [];
    const slow = a.stream('b', { type: 's', payload: null }, counted(3, log), { timeoutMs: 1000 });
    sim.network.partition([['a'], ['b']]);
    await sim.runFor(20);
    await a.stop();
    expect(await run(sim, slow)).toMatchObject({ code: 'UNAVAILABLE' });
    await sim.runFor(10);
    expect(log).toEqual([]); // the open never arrived, so the source was never read
  });
});
