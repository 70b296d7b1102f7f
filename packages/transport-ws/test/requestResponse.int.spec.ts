import { afterEach, describe, expect, it } from '@jest/globals';
import { DynamisError, isDynamisError, type Clock } from '@dynamis/core';
import { Scheduler, VirtualClock } from '@dynamis/testkit';
import type { WsTransport } from '../src/WsTransport';
import { env, link, startNode, until } from './helpers';

/** Longer than WsTransport's stop grace: virtual time to run while a node on a VirtualClock stops. */
const STOP_GRACE = 1000;

describe('WsTransport request/response over 127.0.0.1', () => {
  const nodes: WsTransport[] = [];
  /** Virtual time run while stopping (a node on a VirtualClock waits for its stop grace on it). */
  const stopping: Array<Promise<void>> = [];
  afterEach(async () => {
    await Promise.all([...nodes.splice(0).map((n) => n.stop()), ...stopping.splice(0)]);
  });
  async function pair(timers?: Clock): Promise<[WsTransport, WsTransport]> {
    const a = await startNode('node-a', {}, undefined, timers);
    const b = await startNode('node-b', {}, async (from, msg) => {
      if (msg.type === 'fail') throw new DynamisError('CONFLICT', 'nope', { details: { from } });
      if (msg.type === 'crash') throw new Error('boom');
      if (msg.type === 'slow') return new Promise(() => undefined);
      if (msg.type === 'silent') return undefined;
      return { type: 'ok', payload: { from, echo: msg.payload } };
    });
    nodes.push(a, b);
    link(a, b);
    return [a, b];
  }

  it('answers a request, keeping bytes as bytes', async () => {
    const [a] = await pair();
    const reply = await a.request('node-b', env('hello', { n: 1, bytes: new Uint8Array([1, 2, 3]), list: [null, true, 'x'] }), {
      timeoutMs: 2000,
    });
    expect(reply.type).toBe('ok');
    const payload = reply.payload as { from: string; echo: { n: number; bytes: Uint8Array; list: unknown[] } };
    expect(payload.from).toBe('node-a');
    expect(payload.echo.bytes).toBeInstanceOf(Uint8Array);
    expect([...payload.echo.bytes]).toEqual([1, 2, 3]);
    expect(payload.echo.list).toEqual([null, true, 'x']);
  });

  it('works in both directions over one connection', async () => {
    const [a, b] = await pair();
    await a.request('node-b', env('x'), { timeoutMs: 2000 });
    const back = await b.request('node-a', env('y', 1), { timeoutMs: 2000 });
    expect(back).toEqual({ type: 'y.reply', payload: 1 });
    expect(a.stats().connections).toBe(1);
    expect(b.stats().connections).toBe(1);
  });

  it("sends one event-loop iteration's requests in two socket writes (the first at once, the rest at the check phase) and counts them", async () => {
    const [a] = await pair();
    await a.request('node-b', env('warm-up'), { timeoutMs: 2000 }); // connected, nothing else in flight
    const before = a.stats();
    const replies = Array.from({ length: 25 }, (_, i) => a.request('node-b', env('x', i), { timeoutMs: 2000 }));
    expect(a.stats().socketWrites - before.socketWrites).toBe(1); // a quiet connection: the first at once
    await new Promise<void>((r) => process.nextTick(r)); // the next tick of this iteration (as another I/O callback)
    expect(a.stats().socketWrites - before.socketWrites).toBe(1); // the rest is still held
    replies.push(...Array.from({ length: 25 }, (_, i) => a.request('node-b', env('x', 25 + i), { timeoutMs: 2000 })));
    expect(a.stats().messagesOut - before.messagesOut).toBe(50);
    await new Promise<void>((r) => setImmediate(r)); // the check phase: the batch of both ticks leaves
    expect(a.stats().socketWrites - before.socketWrites).toBe(2);
    expect((await Promise.all(replies)).map((r) => (r.payload as { echo: number }).echo)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('reports the handler error with the same code', async () => {
    const [a] = await pair();
    const err = await a.request('node-b', env('fail'), { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(isDynamisError(err, 'CONFLICT')).toBe(true);
    expect((err as DynamisError).details).toEqual({ from: 'node-a' });
    const crash = await a.request('node-b', env('crash'), { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(isDynamisError(crash, 'UNAVAILABLE')).toBe(true);
    const silent = await a.request('node-b', env('silent'), { timeoutMs: 2000 }).catch((e: unknown) => e);
    expect(isDynamisError(silent, 'PROTOCOL_ERROR')).toBe(true);
  });

  it('times out with TIMEOUT at its deadline on the transport clock, not before', async () => {
    const scheduler = new Scheduler();
    const [a] = await pair(new VirtualClock(scheduler));
    await a.request('node-b', env('warm'), { timeoutMs: 150 }); // virtual time stands still: no timeout
    const outcome = a.request('node-b', env('slow'), { timeoutMs: 150 }).catch((e: unknown) => e);
    await scheduler.runFor(149);
    expect([a.stats().timeouts, a.stats().inFlight]).toEqual([0, 1]);
    await scheduler.runFor(2);
    expect(isDynamisError(await outcome, 'TIMEOUT')).toBe(true);
    expect([a.stats().timeouts, a.stats().inFlight]).toEqual([1, 0]);
    stopping.push(scheduler.runFor(STOP_GRACE));
  });

  it('fails UNAVAILABLE for an unknown or unreachable peer, and rejects bad arguments', async () => {
    const [a] = await pair();
    await expect(a.request('nobody', env('x'), { timeoutMs: 500 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    a.setPeerAddress('ghost', '127.0.0.1:1');
    await expect(a.request('ghost', env('x'), { timeoutMs: 2000 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await expect(a.request('node-b', env('x', new Map()), { timeoutMs: 500 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(a.request('node-b', env('x'), { timeoutMs: 0 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => a.setPeerAddress('x', 'https://nope')).toThrow(DynamisError);
  });

  it('delivers one-way messages in order', async () => {
    const seen: unknown[] = [];
    const a = await startNode('node-a');
    const b = await startNode('node-b', {}, async (_from, msg) => {
      seen.push(msg.payload);
    });
    nodes.push(a, b);
    link(a, b);
    for (let i = 0; i < 100; i++) a.send('node-b', env('gossip', i));
    await until(() => seen.length === 100);
    expect(seen).toEqual([...Array(100).keys()]);
  });

  it('rejects pending requests UNAVAILABLE on stop and keeps no connection', async () => {
    const [a, b] = await pair();
    const pending = a.request('node-b', env('slow'), { timeoutMs: 5000 }).catch((e: unknown) => e);
    await until(() => b.stats().messagesIn > 1);
    await a.stop();
    expect(await pending).toMatchObject({ code: 'UNAVAILABLE' });
    expect(a.stats().inFlight).toBe(0);
    await until(() => b.stats().connections === 0);
  });
});
