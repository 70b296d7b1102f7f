import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type WebSocket from 'ws';
import { Counters } from '../Counters';
import { FrameWriter } from './FrameWriter';
import { NodeBudget } from './NodeBudget';

/** A WebSocket stand-in whose socket buffer is as full as the test says. */
function fakeWs() {
  const sent: Buffer[] = [];
  const socket = Object.assign(new EventEmitter(), {
    cork() {},
    uncork() {},
    write: (b: Buffer) => sent.push(Buffer.from(b)),
    writableLength: 0,
  });
  const ws = { _socket: socket, bufferedAmount: 1 << 30, readyState: 1 };
  return { ws, socket, sent, asWs: ws as unknown as WebSocket };
}

describe('FrameWriter', () => {
  it('shares one node-wide budget of queued bytes between connections, released as frames leave', () => {
    const budget = new NodeBudget(1 << 20, 100);
    const a = fakeWs();
    const b = fakeWs();
    const wa = new FrameWriter(a.asWs, 'a', new Counters(), 1024, 1000, budget, false);
    const wb = new FrameWriter(b.asWs, 'b', new Counters(), 1024, 1000, budget, false);
    wa.send(Buffer.alloc(60));
    expect(() => wb.send(Buffer.alloc(50))).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' })); // its own 1000 would allow it
    expect(budget.queuedBytes).toBe(60);
    a.ws.bufferedAmount = 0;
    a.socket.emit('drain');
    expect([a.sent.length, budget.queuedBytes]).toEqual([1, 0]);
    wb.send(Buffer.alloc(50));
    expect(budget.queuedBytes).toBe(50);
    wb.close();
    expect(budget.queuedBytes).toBe(0);
  });

  it('refuses a frame beyond its own maxQueuedBytes', () => {
    const w = new FrameWriter(fakeWs().asWs, 'a', new Counters(), 1024, 100, new NodeBudget(1 << 20, 1 << 20), false);
    w.send(Buffer.alloc(100));
    expect(() => w.send(Buffer.alloc(1))).toThrow(expect.objectContaining({ code: 'UNAVAILABLE' }));
  });
});
