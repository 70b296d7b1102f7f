import { describe, expect, it } from '@jest/globals';
import { DynamisError, type Envelope, type InboundHandler, type Logger } from '@dynamis/core';
import { Scheduler, VirtualClock } from '@dynamis/testkit';
import type { Connection } from '../conn/Connection';
import { NodeBudget } from '../conn/NodeBudget';
import { Counters } from '../Counters';
import { FrameCodec } from '../wire/FrameCodec';
import { FrameKind, type Frame } from '../wire/frameSchema';
import { Exchange } from './Exchange';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const codec = new FrameCodec();

/** A stand-in connection that records what is sent on it. */
function fakeConn(peerId: string, role: 'node' | 'client' = 'node') {
  const sent: Frame[] = [];
  const conn = {
    peerId,
    role,
    state: 'open',
    pendingCount: 0,
    serving: 0,
    servingBytes: 0,
    streams: new Map(),
    writable: true,
    violations: 0,
    send(frame: Buffer) {
      sent.push(codec.decode(frame) as Frame);
    },
    trySend(frame: Buffer) {
      this.send(frame);
      return true;
    },
    whenWritable: () => Promise.resolve(),
    grant(id: number, n: number) {
      this.send(codec.encode(FrameKind.StreamCredit, id, '', n));
    },
    cancel(id: number) {
      this.send(codec.encode(FrameKind.StreamCancel, id, '', null));
    },
    violation() {
      this.violations++;
    },
  };
  return { conn: conn as unknown as Connection & { violations: number }, sent };
}

function setup(handler?: InboundHandler) {
  const scheduler = new Scheduler();
  const counters = new Counters();
  const ex = new Exchange({
    self: 'me',
    codec,
    counters,
    logger: silent,
    clock: new VirtualClock(scheduler),
    maxPayloadBytes: 64 * 1024,
    streamChunkCredit: 4,
    clientTypePrefix: 'client.',
    maxRequestsInFlight: 8,
    maxRequestBytesInFlight: 1024,
    budget: new NodeBudget(4096, 4096),
    handler: () => handler,
  });
  return { ex, counters, scheduler };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('Exchange', () => {
  it('accepts a reply only on the connection its request left on', async () => {
    const { ex, counters } = setup();
    const b = fakeConn('node-b');
    const mallory = fakeConn('node-m');
    const p = ex.open('node-b', { type: 'get', payload: 1 }, undefined, 1000);
    ex.start(p, b.conn);
    const [, id] = b.sent[0]!;
    ex.onFrame(mallory.conn, [FrameKind.Response, id, 'forged', 'x'], 16);
    expect(counters.unknownCorrelation).toBe(1);
    expect(ex.inFlight).toBe(1);
    ex.onFrame(b.conn, [FrameKind.Response, id, 'get.reply', 2], 16);
    await expect(p.promise).resolves.toEqual({ type: 'get.reply', payload: 2 });
    ex.onFrame(b.conn, [FrameKind.Response, id, 'late', 3], 16);
    expect(counters.unknownCorrelation).toBe(2);
    expect(b.conn.pendingCount).toBe(0);
  });

  it('times out on the virtual clock and fails on connection loss', async () => {
    const { ex, counters, scheduler } = setup();
    const b = fakeConn('node-b');
    const slow = ex.open('node-b', { type: 'get', payload: null }, undefined, 100);
    const lost = ex.open('node-b', { type: 'get', payload: null }, undefined, 10_000);
    const outcomes = [slow.promise.catch((e: unknown) => e), lost.promise.catch((e: unknown) => e)];
    ex.start(slow, b.conn);
    ex.start(lost, b.conn);
    await scheduler.runFor(98);
    expect(ex.inFlight).toBe(2);
    await scheduler.runFor(3);
    expect(await outcomes[0]).toMatchObject({ code: 'TIMEOUT' });
    ex.connectionClosed(b.conn);
    expect(await outcomes[1]).toMatchObject({ code: 'UNAVAILABLE' });
    expect([counters.timeouts, counters.errors, ex.inFlight]).toEqual([1, 2, 0]);
  });

  it('rejects bad envelopes, timeouts and oversize messages with INVALID_ARGUMENT', () => {
    const { ex } = setup();
    const bad: Array<[Envelope, number]> = [
      [{ type: '', payload: null }, 100],
      [{ type: 'x'.repeat(129), payload: null }, 100],
      [{ type: 't', payload: new Date() }, 100],
      [{ type: 't', payload: new Uint8Array(70 * 1024) }, 100],
      [{ type: 't', payload: null }, 0],
      [{ type: 't', payload: null }, Infinity],
    ];
    for (const [msg, timeout] of bad) {
      expect(() => ex.open('b', msg, undefined, timeout)).toThrow(DynamisError);
    }
    expect(ex.inFlight).toBe(0);
  });

  it('serves requests, limiting clients to their prefix and replying with typed errors', async () => {
    const seen: string[] = [];
    const { ex } = setup(async (from, msg) => {
      seen.push(`${from} ${msg.type}`);
      if (msg.type === 'client.bad') return { type: 'r', payload: new Map() } as unknown as Envelope;
      return { type: 'r', payload: msg.payload };
    });
    const c = fakeConn('client:app', 'client');
    ex.onFrame(c.conn, [FrameKind.Request, 1, 'client.get', 'k'], 16);
    ex.onFrame(c.conn, [FrameKind.Request, 2, 'replica.put', 'k'], 16);
    ex.onFrame(c.conn, [FrameKind.Request, 3, 'client.bad', 'k'], 16);
    await settle();
    expect(seen).toEqual(['client:app client.get', 'client:app client.bad']);
    const byId = new Map(c.sent.map((f) => [f[1], f]));
    expect(byId.get(1)).toEqual([FrameKind.Response, 1, 'r', 'k']);
    expect(byId.get(2)?.[0]).toBe(FrameKind.ErrorResponse);
    expect((byId.get(2)?.[3] as { code: string }).code).toBe('UNAUTHORIZED');
    expect((byId.get(3)?.[3] as { code: string }).code).toBe('INVALID_ARGUMENT');
  });

  it('treats a chunk beyond the granted credit as a protocol violation', async () => {
    const { ex } = setup(() => new Promise(() => undefined));
    const a = fakeConn('node-a');
    ex.onFrame(a.conn, [FrameKind.StreamOpen, 7, 'bulk', null], 16);
    expect(a.sent[0]).toEqual([FrameKind.StreamCredit, 7, '', 4]);
    for (let i = 0; i < 4; i++) ex.onFrame(a.conn, [FrameKind.StreamChunk, 7, '', Uint8Array.of(i)], 16);
    expect(a.conn.violations).toBe(0);
    ex.onFrame(a.conn, [FrameKind.StreamChunk, 7, '', Uint8Array.of(9)], 16);
    expect(a.conn.violations).toBe(1);
    ex.onFrame(a.conn, [FrameKind.StreamOpen, 7, 'bulk', null], 16);
    expect(a.conn.violations).toBe(2);
  });

  it('sends a stream only against credit and finishes with the reply', async () => {
    const { ex } = setup();
    const b = fakeConn('node-b');
    async function* body() {
      for (let i = 0; i < 6; i++) yield Uint8Array.of(i);
    }
    const p = ex.open('node-b', { type: 'bulk', payload: 'h' }, body(), 1000);
    ex.start(p, b.conn);
    await settle();
    expect(b.sent.map((f) => f[0])).toEqual([FrameKind.StreamOpen]);
    const id = b.sent[0]![1];
    ex.onFrame(b.conn, [FrameKind.StreamCredit, id, '', 2], 16);
    await settle();
    expect(b.sent.filter((f) => f[0] === FrameKind.StreamChunk)).toHaveLength(2);
    ex.onFrame(b.conn, [FrameKind.StreamCredit, id, '', 10], 16);
    await settle();
    expect(b.sent.filter((f) => f[0] === FrameKind.StreamChunk)).toHaveLength(6);
    expect(b.sent.at(-1)![0]).toBe(FrameKind.StreamEnd);
    ex.onFrame(b.conn, [FrameKind.Response, id, 'done', 6], 16);
    await expect(p.promise).resolves.toEqual({ type: 'done', payload: 6 });
  });
});
