import { describe, expect, it } from '@jest/globals';
import type { Socket } from 'node:net';
import type { EventEmitter } from 'node:events';
import * as wsLib from 'ws';
import WebSocket from 'ws';
import { CLIENT_CORKED_FRAMES, MAX_CORKED_BYTES, TickBatch } from './TickBatch';

/** A socket stand-in recording each write (copied: the batch buffer may be reused) and how many bytes it holds back. */
function fakeSocket() {
  const writes: Buffer[] = [];
  /** Writes that reach the kernel: each uncorked write, and each cork…uncork group as one writev. */
  let syscalls = 0;
  const socket = {
    writableLength: 0,
    corked: 0,
    write(b: Buffer) {
      writes.push(Buffer.from(b));
      if (this.corked === 0) syscalls++;
      return true;
    },
    cork() {
      this.corked++;
    },
    uncork() {
      if (--this.corked === 0) syscalls++;
    },
  };
  const ws: { readyState: number } = { readyState: WebSocket.OPEN };
  const counters = { socketWrites: 0 };
  return {
    writes,
    socket,
    ws,
    counters,
    syscalls: () => syscalls,
    batch: (masked: boolean, maxFrames?: number) =>
      new TickBatch(ws as unknown as WebSocket, socket as unknown as Socket, masked, counters, maxFrames),
  };
}

/** ws's frame parser: exported by ws at runtime, not declared by @types/ws. */
const { Receiver } = wsLib as unknown as {
  Receiver: new (options: { isServer: boolean; binaryType: string; maxPayload: number }) => EventEmitter & { write(b: Buffer): void };
};

/** Parses written bytes with ws's own Receiver (as the peer would): the messages, in order. */
function received(bytes: Buffer[], masked: boolean): Buffer[] {
  const out: Buffer[] = [];
  const r = new Receiver({ isServer: masked, binaryType: 'nodebuffer', maxPayload: 1 << 20 });
  r.on('message', (data: Buffer) => out.push(Buffer.from(data)));
  r.on('error', (err: Error) => {
    throw err;
  });
  for (const b of bytes) r.write(b);
  return out;
}

/** -1 if `got` is exactly `want`, else the index of the first message that differs (cheap to report, unlike a diff). */
function firstMismatch(got: Buffer[], want: Buffer[]): number {
  for (let i = 0; i < Math.max(got.length, want.length); i++) if (!got[i] || !want[i] || !got[i]!.equals(want[i]!)) return i;
  return -1;
}

const nextTick = (): Promise<void> => new Promise((r) => process.nextTick(r));
/** Past the check phase of this event-loop iteration (where the batch is written). */
const endOfLoop = (): Promise<void> => new Promise((r) => setImmediate(r));
const msg = (n: number, fill: number): Buffer => Buffer.alloc(n, fill);

describe('TickBatch', () => {
  it.each([false, true])('writes the first message at once and the rest of the iteration in one write (masked %s)', async (masked) => {
    const f = fakeSocket();
    const b = f.batch(masked);
    const sent = [msg(10, 1), msg(125, 2), msg(126, 3), msg(65_535 % 8000, 4), msg(300, 5)];
    for (const m of sent) b.write(m);
    expect(f.writes).toHaveLength(1);
    await nextTick();
    expect(f.writes).toHaveLength(1); // held past the tick: later callbacks of this iteration may add to it
    await endOfLoop();
    expect(f.writes).toHaveLength(2);
    expect(firstMismatch(received(f.writes, masked), sent)).toBe(-1);
    // the mask bit and a zero key on the dialing side only (RFC 6455: clients mask)
    expect(f.writes[0]![1]! & 0x80).toBe(masked ? 0x80 : 0);
  });

  it('writes big messages uncopied, with 16- and 64-bit lengths, in order with the batch', async () => {
    const f = fakeSocket();
    const b = f.batch(true);
    const sent = [msg(5, 1), msg(9000, 2), msg(7, 3), msg(70_000, 4), msg(8, 5)];
    for (const m of sent) b.write(m);
    await endOfLoop();
    expect(firstMismatch(received(f.writes, true), sent)).toBe(-1);
    expect(f.writes.some((w) => w.length === 70_000)).toBe(true); // the big payload went as it was
    expect(f.socket.corked).toBe(0);
  });

  it(`holds back at most ${MAX_CORKED_BYTES} bytes in an iteration`, async () => {
    const f = fakeSocket();
    const b = f.batch(false);
    const sent = Array.from({ length: 200 }, (_, i) => msg(1000, i));
    for (const m of sent) {
      b.write(m);
      const written = f.writes.reduce((n, w) => n + w.length, 0);
      const total = sent.indexOf(m) + 1;
      expect(total * 1002 - written).toBeLessThanOrEqual(MAX_CORKED_BYTES);
      if (total % 10 === 0) await nextTick(); // several ticks of one iteration
    }
    await endOfLoop();
    expect(firstMismatch(received(f.writes, false), sent)).toBe(-1);
  });

  it(`with a frame bound (a client connection), holds back at most ${CLIENT_CORKED_FRAMES} small messages: a burst leaves in chunks the peer can start on`, async () => {
    const f = fakeSocket();
    const b = f.batch(false, CLIENT_CORKED_FRAMES);
    const sent = Array.from({ length: 64 }, (_, i) => msg(100, i));
    for (let i = 0; i < sent.length; i++) {
      b.write(sent[i]!);
      const out = received(f.writes, false).length;
      expect(i + 1 - out).toBeLessThanOrEqual(CLIENT_CORKED_FRAMES);
      expect(i + 1 - out).toBeGreaterThanOrEqual(0);
    }
    // 64 messages of 100 bytes (6.5 KB, under the byte bound): the lone first one, then chunks of 16 before the check phase.
    expect(f.writes).toHaveLength(1 + Math.floor(63 / CLIENT_CORKED_FRAMES));
    await endOfLoop();
    expect(f.writes).toHaveLength(1 + Math.ceil(63 / CLIENT_CORKED_FRAMES));
    expect(firstMismatch(received(f.writes, false), sent)).toBe(-1);
  });

  it('without a frame bound (a peer link), holds a burst of small messages until the check phase', async () => {
    const f = fakeSocket();
    const b = f.batch(false);
    const sent = Array.from({ length: 64 }, (_, i) => msg(100, i));
    for (const m of sent) b.write(m);
    expect(f.writes).toHaveLength(1); // only the lone first one
    await endOfLoop();
    expect(f.writes).toHaveLength(2);
    expect(firstMismatch(received(f.writes, false), sent)).toBe(-1);
  });

  it('sends the frames of several ticks of one iteration (separate I/O callbacks) in one write after the first', async () => {
    const f = fakeSocket();
    const b = f.batch(true);
    const sent = [msg(10, 1), msg(20, 2), msg(30, 3), msg(40, 4)];
    b.write(sent[0]!); // a quiet connection: at once
    expect(f.writes).toHaveLength(1);
    for (const m of sent.slice(1)) {
      await nextTick(); // the next callback's tick, same iteration
      b.write(m);
    }
    expect(f.writes).toHaveLength(1);
    await endOfLoop();
    expect(f.writes).toHaveLength(2);
    expect(f.syscalls()).toBe(2);
    expect(firstMismatch(received(f.writes, true), sent)).toBe(-1);
  });

  it('holds the first frame of a busy connection for the check phase too, and writes at once again once quiet', async () => {
    const f = fakeSocket();
    const b = f.batch(false);
    b.write(msg(10, 1));
    b.write(msg(10, 2)); // two frames in this iteration: busy
    await endOfLoop();
    expect(f.writes).toHaveLength(2);
    b.write(msg(10, 3)); // busy: held, although first of its iteration
    expect(f.writes).toHaveLength(2);
    await endOfLoop(); // one frame in that iteration: quiet again
    expect(f.writes).toHaveLength(3);
    b.write(msg(10, 4)); // quiet: at once
    expect(f.writes).toHaveLength(4);
    await endOfLoop();
    expect(f.writes).toHaveLength(4);
    expect(
      firstMismatch(
        received(f.writes, false),
        [1, 2, 3, 4].map((i) => msg(10, i)),
      ),
    ).toBe(-1);
  });

  it('never overwrites bytes the socket still holds, and reuses the buffer once it holds none', async () => {
    const f = fakeSocket();
    const b = f.batch(false);
    const views: Buffer[] = [];
    f.socket.write = (v: Buffer) => {
      views.push(v); // keep the view itself, as a socket with a full buffer does
      return false;
    };
    f.socket.writableLength = 1; // every write stays pending
    const sent = Array.from({ length: 300 }, (_, i) => msg(500, i));
    for (const m of sent) {
      b.write(m);
      if (sent.indexOf(m) % 7 === 0) await endOfLoop();
    }
    await endOfLoop();
    expect(firstMismatch(received(views, false), sent)).toBe(-1);
    f.socket.writableLength = 0;
    const again = Array.from({ length: 5 }, (_, i) => msg(20, i));
    const before = views.length;
    for (const m of again) b.write(m);
    await endOfLoop();
    expect(firstMismatch(received(views.slice(before), false), again)).toBe(-1);
  });

  it('holds a batch buffer only while busy: none after an iteration with at most one message', async () => {
    const f = fakeSocket();
    const b = f.batch(false);
    const held = (): number => (b as unknown as { buf: Buffer }).buf.length;
    b.write(msg(10, 1));
    expect(held()).toBe(0); // a lone message needs none
    await endOfLoop();
    b.write(msg(10, 2));
    b.write(msg(10, 3));
    expect(held()).toBeGreaterThan(0);
    await endOfLoop(); // busy iteration: kept for the next burst
    expect(held()).toBeGreaterThan(0);
    b.write(msg(10, 4));
    await endOfLoop(); // a quiet iteration: let go
    expect(held()).toBe(0);
    expect(
      firstMismatch(
        received(f.writes, false),
        [1, 2, 3, 4].map((i) => msg(10, i)),
      ),
    ).toBe(-1);
  });

  it('counts every write it hands to the socket, a big message and its header as one', async () => {
    const f = fakeSocket();
    const b = f.batch(true);
    b.write(msg(10, 1)); // lone: written at once
    await endOfLoop();
    for (let i = 0; i < 4; i++) b.write(msg(100, i)); // first at once, three in the end-of-iteration batch
    await endOfLoop();
    b.write(msg(5, 9)); // busy: batched ...
    b.write(msg(6, 7)); // batched ...
    b.write(msg(9000, 8)); // ... flushed by the big message, then header + payload corked into one write
    await endOfLoop();
    expect(f.syscalls()).toBe(5);
    expect(f.counters.socketWrites).toBe(f.syscalls());
    f.ws.readyState = WebSocket.CLOSED;
    b.write(msg(10, 1)); // dropped: nothing written, nothing counted
    await endOfLoop();
    expect(f.counters.socketWrites).toBe(5);
  });

  it('drops frames once the WebSocket is no longer open (no data after a close frame)', async () => {
    const f = fakeSocket();
    const b = f.batch(false);
    b.write(msg(3, 1));
    b.write(msg(3, 2));
    f.ws.readyState = WebSocket.CLOSING;
    await endOfLoop();
    b.write(msg(3, 3));
    expect(firstMismatch(received(f.writes, false), [msg(3, 1)])).toBe(-1);
  });
});
