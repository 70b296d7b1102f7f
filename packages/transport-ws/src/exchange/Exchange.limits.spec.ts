import { describe, expect, it } from '@jest/globals';
import type { Envelope, Logger, WireError } from '@dynamis/core';
import { Scheduler, VirtualClock } from '@dynamis/testkit';
import type { Connection } from '../conn/Connection';
import { NodeBudget } from '../conn/NodeBudget';
import { Counters } from '../Counters';
import { FrameCodec, IllFormedTextFrame } from '../wire/FrameCodec';
import { FrameKind, type Frame } from '../wire/frameSchema';
import { Exchange } from './Exchange';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const codec = new FrameCodec();

/** A connection that records what is sent on it; `full` makes every send fail (a peer that does not read). */
function fakeConn(peerId: string) {
  const sent: Frame[] = [];
  const conn = {
    peerId,
    role: 'client',
    state: 'open',
    pendingCount: 0,
    serving: 0,
    servingBytes: 0,
    streams: new Map(),
    violations: 0,
    closedWith: 0,
    full: false,
    trySend(frame: Buffer) {
      if (this.full) return false;
      sent.push(codec.decode(frame) as Frame);
      return true;
    },
    grant() {},
    violation() {
      this.violations++;
    },
    terminate() {
      this.closedWith = 1006;
      this.state = 'closed';
    },
  };
  return { conn: conn as unknown as Connection & { violations: number; closedWith: number; full: boolean }, sent };
}

/** An Exchange whose handler holds every request until `release()`. */
function setup(budget = new NodeBudget(1 << 20, 1 << 20)) {
  const counters = new Counters();
  const held: Array<() => void> = [];
  const seen: string[] = [];
  const ex = new Exchange({
    self: 'me',
    codec,
    counters,
    logger: silent,
    clock: new VirtualClock(new Scheduler()),
    maxPayloadBytes: 64 * 1024,
    streamChunkCredit: 4,
    clientTypePrefix: '',
    maxRequestsInFlight: 3,
    maxRequestBytesInFlight: 1000,
    budget,
    handler: () => (_from, msg) => {
      seen.push(msg.type);
      return new Promise<Envelope>((resolve) => held.push(() => resolve({ type: 'ok', payload: null })));
    },
  });
  return { ex, counters, held, seen };
}

const settle = () => new Promise((r) => setImmediate(r));
const request = (id: number): Frame => [FrameKind.Request, id, `t${id}`, null];
const errorOf = (f: Frame | undefined): WireError => f?.[3] as WireError;

describe('Exchange bounds inbound work', () => {
  it('refuses a request beyond maxRequestsInFlight with a retryable UNAVAILABLE, before its handler runs', async () => {
    const { ex, counters, held, seen } = setup();
    const c = fakeConn('client:a');
    for (let id = 1; id <= 4; id++) ex.onFrame(c.conn, request(id), 10);
    await settle();
    expect(seen).toEqual(['t1', 't2', 't3']);
    expect(c.sent).toHaveLength(1);
    expect(c.sent[0]![0]).toBe(FrameKind.ErrorResponse);
    expect(c.sent[0]![1]).toBe(4);
    expect(errorOf(c.sent[0])).toMatchObject({ code: 'UNAVAILABLE', details: { overloaded: true, applied: false } });
    expect(counters.overloaded).toBe(1);
    held.shift()!();
    await settle();
    ex.onFrame(c.conn, request(5), 10);
    await settle();
    expect(seen).toEqual(['t1', 't2', 't3', 't5']);
    expect(c.conn.serving).toBe(3);
    expect(c.conn.servingBytes).toBe(30);
  });

  it('bounds one-way messages by the same in-flight limits, dropping (and counting) the excess', async () => {
    const { ex, counters, held, seen } = setup();
    const c = fakeConn('client:a');
    for (let i = 1; i <= 3; i++) ex.onFrame(c.conn, request(i), 10);
    ex.onFrame(c.conn, [FrameKind.OneWay, 0, 'oneway', null], 10);
    await settle();
    expect(seen).toEqual(['t1', 't2', 't3']);
    expect([counters.overloaded, c.sent.length]).toEqual([1, 0]); // no answer to a one-way message
    held.shift()!();
    await settle();
    ex.onFrame(c.conn, [FrameKind.OneWay, 0, 'oneway', null], 10);
    await settle();
    expect(seen).toEqual(['t1', 't2', 't3', 'oneway']);
    expect(c.conn.serving).toBe(3); // the one-way handler is still running (held)
  });

  it('refuses bytes beyond maxRequestBytesInFlight, but always lets one request run', async () => {
    const { ex, counters, held, seen } = setup();
    const c = fakeConn('client:a');
    ex.onFrame(c.conn, request(1), 5000); // alone: runs although bigger than the limit
    ex.onFrame(c.conn, request(2), 10);
    await settle();
    expect(seen).toEqual(['t1']);
    expect(errorOf(c.sent[0])).toMatchObject({ code: 'UNAVAILABLE', details: { overloaded: true } });
    held.shift()!();
    await settle();
    ex.onFrame(c.conn, request(3), 600);
    ex.onFrame(c.conn, request(4), 400);
    ex.onFrame(c.conn, request(5), 1);
    await settle();
    expect(seen).toEqual(['t1', 't3', 't4']);
    expect(counters.overloaded).toBe(2);
  });

  it('shares one node-wide budget of request bytes between connections', async () => {
    const budget = new NodeBudget(1500, 1 << 20);
    const { ex, seen } = setup(budget);
    const a = fakeConn('client:a');
    const b = fakeConn('client:b');
    ex.onFrame(a.conn, request(1), 900);
    ex.onFrame(b.conn, request(2), 900);
    ex.onFrame(b.conn, request(3), 500);
    await settle();
    expect(seen).toEqual(['t1', 't3']);
    expect(budget.requestBytes).toBe(1400);
    expect(errorOf(b.sent[0])).toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('answers a request with ill-formed UTF-8 INVALID_KEY and keeps the connection; other frames are violations', async () => {
    const { ex, counters, seen } = setup();
    const c = fakeConn('client:a');
    ex.onIllFormedText(c.conn, new IllFormedTextFrame(FrameKind.Request, 9));
    expect(c.sent).toEqual([[FrameKind.ErrorResponse, 9, '', expect.objectContaining({ code: 'INVALID_KEY' })]]);
    ex.onIllFormedText(c.conn, new IllFormedTextFrame(FrameKind.OneWay, 0));
    expect([c.conn.violations, c.conn.state, counters.illFormedText, counters.dropped]).toEqual([0, 'open', 1, 1]);
    ex.onIllFormedText(c.conn, new IllFormedTextFrame(FrameKind.Response, 3));
    expect(c.conn.violations).toBe(1);
    await settle();
    expect(seen).toEqual([]);
  });

  it('drops a connection whose reply cannot be queued, instead of holding it', async () => {
    const { ex, counters, held } = setup();
    const c = fakeConn('client:slow');
    ex.onFrame(c.conn, request(1), 10);
    await settle();
    c.conn.full = true;
    held.shift()!();
    await settle();
    expect(c.conn.closedWith).toBe(1006);
    expect(counters.slowReaderCloses).toBe(1);
  });
});
