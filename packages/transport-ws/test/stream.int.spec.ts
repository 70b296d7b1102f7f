import { afterEach, describe, expect, it } from '@jest/globals';
import { isDynamisError } from '@dynamis/core';
import { Scheduler, VirtualClock } from '@dynamis/testkit';
import type { WsTransport } from '../src/WsTransport';
import { env, link, startNode, until } from './helpers';

const MiB = 1024 * 1024;

async function* chunks(total: number, size: number, onRead?: () => void): AsyncGenerator<Uint8Array> {
  const block = new Uint8Array(size);
  for (let sent = 0; sent < total; sent += size) {
    onRead?.();
    block[0] = (sent / size) & 0xff;
    yield block.subarray(0, Math.min(size, total - sent));
  }
}

describe('WsTransport streams', () => {
  const nodes: WsTransport[] = [];
  /** Virtual time run while stopping nodes on a VirtualClock (their stop grace runs on it). */
  const stopping: Array<Promise<void>> = [];
  afterEach(async () => {
    await Promise.all([...nodes.splice(0).map((n) => n.stop()), ...stopping.splice(0)]);
  });

  it('moves 100 MB with bounded memory', async () => {
    let received = 0;
    let firstBytesOk = true;
    let index = 0;
    const a = await startNode('node-a');
    const b = await startNode('node-b', {}, async (_from, msg, body) => {
      for await (const chunk of body!) {
        if (chunk[0] !== (index++ & 0xff)) firstBytesOk = false;
        received += chunk.length;
      }
      return { type: 'done', payload: { received, header: msg.payload } };
    });
    nodes.push(a, b);
    link(a, b);
    global.gc?.();
    const base = process.memoryUsage();
    let peakRss = base.rss;
    let peakHeap = base.heapUsed + base.arrayBuffers;
    const sample = setInterval(() => {
      const m = process.memoryUsage();
      peakRss = Math.max(peakRss, m.rss);
      peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
    }, 5);
    try {
      const reply = await a.stream('node-b', env('range.handoff', 'r1'), chunks(100 * MiB, 256 * 1024), { timeoutMs: 60_000 });
      expect(reply).toEqual({ type: 'done', payload: { received: 100 * MiB, header: 'r1' } });
    } finally {
      clearInterval(sample);
    }
    if (process.env.DEBUG_WS) console.log({ rss: (peakRss - base.rss) / MiB, heap: (peakHeap - base.heapUsed - base.arrayBuffers) / MiB });
    expect(firstBytesOk).toBe(true);
    expect(peakRss - base.rss).toBeLessThan(64 * MiB);
    expect(peakHeap - (base.heapUsed + base.arrayBuffers)).toBeLessThan(64 * MiB);
  });

  it('splits a chunk larger than maxPayloadBytes', async () => {
    const sizes: number[] = [];
    const a = await startNode('node-a', { maxPayloadBytes: 64 * 1024 });
    const b = await startNode('node-b', { maxPayloadBytes: 64 * 1024 }, async (_f, _m, body) => {
      for await (const c of body!) sizes.push(c.length);
      return { type: 'ok', payload: null };
    });
    nodes.push(a, b);
    link(a, b);
    await a.stream('node-b', env('big'), chunks(200_000, 200_000), { timeoutMs: 5000 });
    expect(sizes.reduce((x, y) => x + y, 0)).toBe(200_000);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(64 * 1024);
  });

  it('stops reading the source when the handler leaves early, and still resolves with its reply', async () => {
    let produced = 0;
    let closed = false;
    async function* source(): AsyncGenerator<Uint8Array> {
      try {
        for (let i = 0; i < 1_000_000; i++) {
          produced++;
          yield Uint8Array.of(i & 0xff);
        }
      } finally {
        closed = true;
      }
    }
    const a = await startNode('node-a');
    const b = await startNode('node-b', {}, async (_f, _m, body) => {
      let n = 0;
      for await (const _c of body!) if (++n === 3) break;
      return { type: 'enough', payload: n };
    });
    nodes.push(a, b);
    link(a, b);
    const reply = await a.stream('node-b', env('s'), source(), { timeoutMs: 5000 });
    expect(reply.payload).toBe(3);
    await until(() => closed);
    expect(produced).toBeLessThan(100);
  });

  it('fails the stream with the source error and breaks the receiver', async () => {
    let receiverError: unknown;
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield Uint8Array.of(1);
      throw new Error('disk on fire');
    }
    const a = await startNode('node-a');
    const b = await startNode('node-b', {}, async (_f, _m, body) => {
      try {
        for await (const _c of body!) {
          // consume
        }
      } catch (err) {
        receiverError = err;
        throw err;
      }
      return { type: 'ok', payload: null };
    });
    nodes.push(a, b);
    link(a, b);
    await expect(a.stream('node-b', env('s'), failing(), { timeoutMs: 5000 })).rejects.toThrow('disk on fire');
    await until(() => receiverError !== undefined);
    expect(isDynamisError(receiverError, 'UNAVAILABLE')).toBe(true);
    expect(a.stats().inFlight).toBe(0);
    await until(() => b.stats().unknownCorrelation === 0 && a.stats().unknownCorrelation === 0);
  });

  it('times out a stream whose receiver stalls, aborting the receiver side', async () => {
    let receiverError: unknown;
    let firstChunk = false;
    let resume: () => void = () => undefined;
    const stalled = new Promise<void>((r) => (resume = r));
    const scheduler = new Scheduler();
    const a = await startNode('node-a', {}, undefined, new VirtualClock(scheduler));
    const b = await startNode('node-b', {}, async (_f, _m, body) => {
      const it = body![Symbol.asyncIterator]();
      await it.next();
      firstChunk = true;
      await stalled; // the handler stalls until the sender gave up
      try {
        while ((await it.next()).done !== true);
      } catch (err) {
        receiverError = err;
      }
      return { type: 'late', payload: null };
    });
    nodes.push(a, b);
    link(a, b);
    const outcome = a.stream('node-b', env('s'), chunks(10 * MiB, 64 * 1024), { timeoutMs: 200 }).catch((e: unknown) => e);
    await until(() => firstChunk);
    await scheduler.runFor(201); // a's clock: the stream's deadline passes
    expect(isDynamisError(await outcome, 'TIMEOUT')).toBe(true);
    resume();
    await until(() => receiverError !== undefined);
    expect(isDynamisError(receiverError, 'TIMEOUT')).toBe(true);
    stopping.push(scheduler.runFor(1000));
  });
});
