import { afterEach, describe, expect, it } from '@jest/globals';
import { isDynamisError } from '@dynamis/core';
import type { WsTransport } from '../src/WsTransport';
import { env, link, socketsOf, startNode, until } from './helpers';

const KiB = 1024;
const MiB = 1024 * KiB;
const HWM = 256 * KiB;
const MAX_QUEUED = 2 * MiB;

describe('WsTransport backpressure against a peer that stops reading', () => {
  const nodes: WsTransport[] = [];
  afterEach(async () => {
    await Promise.all(nodes.splice(0).map((n) => n.stop()));
  });

  async function stalledPair(): Promise<[WsTransport, WsTransport]> {
    const opts = { highWaterMarkBytes: HWM, maxQueuedBytes: MAX_QUEUED, heartbeatIntervalMs: 60_000 };
    const a = await startNode('node-a', opts);
    const b = await startNode('node-b', opts);
    nodes.push(a, b);
    link(a, b);
    await a.request('node-b', env('warm'), { timeoutMs: 2000 });
    for (const s of socketsOf(b)) s.pause();
    return [a, b];
  }

  it('bounds buffered and queued bytes, then fails requests UNAVAILABLE instead of growing', async () => {
    const [a, b] = await stalledPair();
    const payload = new Uint8Array(64 * KiB);
    const base = process.memoryUsage();
    const outcomes: Array<Promise<unknown>> = [];
    let firstFailureAt = -1;
    for (let i = 0; i < 1600; i++) {
      // 100 MiB offered in total; the kernel, the socket buffer and the queue hold only a few MiB of it.
      outcomes.push(a.request('node-b', env('bulk', payload), { timeoutMs: 30_000 }).catch((e: unknown) => e));
      const peer = a.stats().peers['node-b']!;
      expect(peer.bufferedBytes).toBeLessThanOrEqual(HWM + 128 * KiB);
      expect(peer.queuedBytes).toBeLessThanOrEqual(MAX_QUEUED);
      if (i % 50 === 0) await new Promise((r) => setImmediate(r));
    }
    // The last ones were refused synchronously (queue full): they settle without any timer (their timeout is 30 s).
    const settled = await Promise.all(outcomes.slice(-100));
    expect(a.stats().timeouts).toBe(0);
    const failures = settled.filter((e) => isDynamisError(e, 'UNAVAILABLE'));
    expect(failures.length).toBe(100);
    firstFailureAt = a.stats().errors;
    expect(firstFailureAt).toBeGreaterThan(1000);
    const growth = process.memoryUsage().rss - base.rss;
    expect(growth).toBeLessThan(64 * MiB);
    // The peer reads again: what was queued is delivered and new requests succeed.
    for (const s of socketsOf(b)) s.resume();
    expect((await a.request('node-b', env('after'), { timeoutMs: 10_000 })).type).toBe('after.reply');
    await until(() => a.stats().inFlight === 0);
  });

  it('pauses a stream source at the high-water mark when the peer stops reading, even with credit to spare', async () => {
    const opts = { highWaterMarkBytes: HWM, maxQueuedBytes: MAX_QUEUED, heartbeatIntervalMs: 60_000 };
    let received = 0;
    const a = await startNode('node-a', opts);
    const b = await startNode('node-b', { ...opts, streamChunkCredit: 1024 }, async (_f, _m, body) => {
      for await (const c of body!) received += c.length;
      return { type: 'done', payload: received };
    });
    nodes.push(a, b);
    link(a, b);
    let produced = 0;
    async function* source(): AsyncGenerator<Uint8Array> {
      const block = new Uint8Array(64 * KiB);
      for (let i = 0; i < 1600; i++) {
        produced++;
        yield block;
      }
    }
    const done = a.stream('node-b', env('bulk.stream'), source(), { timeoutMs: 30_000 });
    await until(() => received > 0);
    for (const s of socketsOf(b)) s.pause();
    // The source stops being read: `produced` stays put across many event-loop turns once the socket is full.
    await until(async () => {
      const before = produced;
      for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
      return produced === before && a.stats().peers['node-b']!.bufferedBytes >= HWM;
    });
    expect(produced).toBeLessThan(400); // far below the 1024 chunks of credit (kernel buffers hold the rest)
    expect(a.stats().peers['node-b']!.bufferedBytes).toBeLessThanOrEqual(HWM + 128 * KiB);
    for (const s of socketsOf(b)) s.resume();
    expect((await done).payload).toBe(1600 * 64 * KiB);
  });
});
