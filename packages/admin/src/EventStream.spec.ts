import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { EventStream, MAX_UNSENT_BYTES } from './EventStream';

/** A response that keeps what is written and lets the test say how much is still unsent. */
class FakeResponse extends EventEmitter {
  written: string[] = [];
  status = 0;
  destroyed = false;
  writableLength = 0;
  writeHead(status: number): this {
    this.status = status;
    return this;
  }
  write(chunk: string): boolean {
    this.written.push(chunk);
    return true;
  }
  destroy(): this {
    this.destroyed = true;
    this.emit('close');
    return this;
  }
}

const asRes = (r: FakeResponse) => r as unknown as ServerResponse;

describe('EventStream', () => {
  it('sends headers, the latest snapshot at once, then every broadcast as one data frame', () => {
    const s = new EventStream(2);
    const r = new FakeResponse();
    expect(s.accept(asRes(r), '{"seq":1}')).toBe(true);
    s.broadcast('{"seq":2}');
    expect(r.status).toBe(200);
    expect(r.written).toEqual(['retry: 2000\n\n', 'data: {"seq":1}\n\n', 'data: {"seq":2}\n\n']);
  });

  it('refuses clients beyond the cap and takes one again once another closed', () => {
    const s = new EventStream(2);
    const [a, b, c] = [new FakeResponse(), new FakeResponse(), new FakeResponse()];
    expect(s.accept(asRes(a), undefined)).toBe(true);
    expect(s.accept(asRes(b), undefined)).toBe(true);
    expect(s.accept(asRes(c), undefined)).toBe(false);
    expect(c.written).toEqual([]);
    expect(s.stats()).toEqual({ clients: 2, refused: 1, dropped: 0 });
    a.emit('close');
    expect(s.accept(asRes(c), undefined)).toBe(true);
  });

  it('drops a client that leaves more than MAX_UNSENT_BYTES unread, and no other', () => {
    const s = new EventStream(4);
    const [slow, fast] = [new FakeResponse(), new FakeResponse()];
    s.accept(asRes(slow), undefined);
    s.accept(asRes(fast), undefined);
    slow.writableLength = MAX_UNSENT_BYTES;
    s.broadcast('{}');
    expect(slow.destroyed).toBe(false);
    slow.writableLength = MAX_UNSENT_BYTES + 1;
    s.broadcast('{}');
    expect(slow.destroyed).toBe(true);
    expect(fast.destroyed).toBe(false);
    expect(s.stats()).toEqual({ clients: 1, refused: 0, dropped: 1 });
    const frames = slow.written.length;
    s.broadcast('{}');
    expect(slow.written).toHaveLength(frames);
    expect(fast.written).toHaveLength(frames + 1);
  });
});
