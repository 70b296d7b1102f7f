import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { isWireValue, type Envelope } from '@dynamis/core';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { connect } from 'node:net';
import type WebSocket from 'ws';
import { FrameKind, MAX_TYPE_LENGTH } from '../src/wire/frameSchema';
import type { WsTransport } from '../src/WsTransport';
import { env, SECRET, startNode } from './helpers';
import { closeCode, codec, rawConnect } from './rawClient';

/** Encodes anything msgpackr can, extensions and records included (what a hostile peer could send). */
const hostilePackr = new Packr({ useRecords: true, moreTypes: true, structuredClone: true });

const wirePayload = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.uint8Array({ maxLength: 64 }), fc.constant(undefined));
const id = fc.oneof(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 2 ** 32 + 5 }));
const wireError = fc.record({
  code: fc.constantFrom('CONFLICT', 'TIMEOUT', 'NOPE', ''),
  message: fc.string({ maxLength: 20 }),
  details: fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 })),
});

/** Frames of every kind, mostly well-formed. */
const validFrame: fc.Arbitrary<Buffer> = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(FrameKind.Request, FrameKind.StreamOpen, FrameKind.Response),
      id,
      fc.string({ minLength: 1, maxLength: 24 }),
      wirePayload,
    )
    .map(([k, i, t, p]) => codec.encode(k, i, t, p)),
  fc.tuple(fc.string({ minLength: 1, maxLength: 24 }), wirePayload).map(([t, p]) => codec.encode(FrameKind.OneWay, 0, t, p)),
  fc.tuple(fc.constantFrom(FrameKind.ErrorResponse, FrameKind.StreamAbort), id, wireError).map(([k, i, e]) => codec.encode(k, i, '', e)),
  fc.tuple(id, fc.uint8Array({ maxLength: 128 })).map(([i, d]) => codec.encode(FrameKind.StreamChunk, i, '', d)),
  fc.tuple(fc.constantFrom(FrameKind.StreamEnd, FrameKind.StreamCancel), id).map(([k, i]) => codec.encode(k, i, '', null)),
  fc.tuple(id, fc.integer({ min: -1, max: 2 ** 21 })).map(([i, n]) => codec.encode(FrameKind.StreamCredit, i, '', n)),
  fc
    .tuple(fc.constantFrom(FrameKind.Auth, FrameKind.AuthOk), fc.uint8Array({ minLength: 32, maxLength: 32 }))
    .map(([k, p]) => codec.encode(k, 0, '', p)),
);

const mutation = fc.record({
  op: fc.constantFrom('flip', 'truncate', 'append', 'insert', 'set'),
  pos: fc.nat(),
  byte: fc.integer({ min: 0, max: 255 }),
});

function mutate(frame: Buffer, ops: ReadonlyArray<{ op: string; pos: number; byte: number }>): Buffer {
  let b = Buffer.from(frame);
  for (const { op, pos, byte } of ops) {
    const at = b.length === 0 ? 0 : pos % b.length;
    if (op === 'flip' && b.length > 0) b[at] = b[at]! ^ (1 << (byte & 7));
    else if (op === 'set' && b.length > 0) b[at] = byte;
    else if (op === 'truncate') b = b.subarray(0, at);
    else if (op === 'append') b = Buffer.concat([b, Buffer.of(byte)]);
    else if (op === 'insert') b = Buffer.concat([b.subarray(0, at), Buffer.of(byte), b.subarray(at)]);
  }
  return b;
}

const anythingFrame = fc
  .tuple(
    fc.integer({ min: -1, max: 13 }),
    fc.anything({ maxDepth: 2, withMap: true, withSet: true, withDate: true, withTypedArray: true, withNullPrototype: true }),
    fc.anything({ maxDepth: 3, withMap: true, withDate: true, withTypedArray: true }),
  )
  .map(([k, a, b]) => {
    try {
      return hostilePackr.pack([k, a, 'x', b]) as Buffer;
    } catch {
      return Buffer.of(0xc1);
    }
  });

const hostileFrame = fc.oneof(
  { weight: 3, arbitrary: validFrame },
  { weight: 4, arbitrary: fc.tuple(validFrame, fc.array(mutation, { minLength: 1, maxLength: 4 })).map(([f, ops]) => mutate(f, ops)) },
  { weight: 2, arbitrary: anythingFrame },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.from(u)) },
);

describe('WsTransport under hostile frames (fast-check)', () => {
  let server: WsTransport;
  let good: WsTransport;
  const invalidSeen: unknown[] = [];
  let handled = 0;

  beforeAll(async () => {
    server = await startNode('server', {}, async (from: string, msg: Envelope) => {
      handled++;
      const ok =
        (from === 'raw-peer' || from === 'node-good') &&
        typeof msg.type === 'string' &&
        msg.type.length >= 1 &&
        msg.type.length <= MAX_TYPE_LENGTH &&
        isWireValue(msg.payload);
      if (!ok) invalidSeen.push(msg);
      return { type: 'ok', payload: null };
    });
    good = await startNode('node-good');
    good.setPeerAddress('server', server.address()!);
  });
  afterAll(async () => {
    await Promise.all([server.stop(), good.stop()]);
  });

  async function stillServing(): Promise<void> {
    const reply = await good.request('server', env('health', { n: 1 }), { timeoutMs: 5000 });
    expect(reply.type).toBe('ok');
  }

  it('authenticated peer: never crashes, never passes an invalid message on, keeps serving others, bounded memory', async () => {
    global.gc?.();
    const base = process.memoryUsage().rss;
    let frames = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(hostileFrame, { minLength: 1, maxLength: 20 }), async (batch) => {
        const raw = await rawConnect(server.address()!, { key: SECRET, id: 'raw-peer' });
        const closed = closeCode(raw);
        for (const f of batch) {
          if (raw.readyState !== raw.OPEN) break;
          raw.send(f);
          frames++;
        }
        await stillServing();
        raw.terminate();
        await closed;
      }),
      { numRuns: 400 },
    );
    expect(frames).toBeGreaterThan(2000);
    expect(invalidSeen).toEqual([]);
    expect(handled).toBeGreaterThan(0);
    const stats = server.stats();
    expect(stats.protocolViolations).toBeGreaterThan(100);
    expect(stats.unknownCorrelation).toBeGreaterThan(0);
    expect(process.memoryUsage().rss - base).toBeLessThan(64 * 1024 * 1024);
    await stillServing();
  });

  it('unauthenticated garbage: closed before anything reaches the handler', async () => {
    const before = handled;
    await fc.assert(
      fc.asyncProperty(fc.array(hostileFrame, { minLength: 1, maxLength: 5 }), async (batch) => {
        const raw: WebSocket = await rawConnect(server.address()!, { id: 'raw-peer' });
        const code = closeCode(raw);
        for (const f of batch) if (raw.readyState === raw.OPEN) raw.send(f);
        const c = await code;
        // 1009: a message over HANDSHAKE_MAX_BYTES before authentication, refused by ws before it is buffered.
        expect([1002, 1008, 1009]).toContain(c);
      }),
      { numRuns: 300 },
    );
    expect(handled).toBe(before);
    await stillServing();
  });

  it('raw TCP garbage instead of an HTTP upgrade is dropped', async () => {
    const port = Number(new URL(server.address()!).port);
    const hung: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 512 }), async (bytes) => {
        const socket = connect(port, '127.0.0.1');
        socket.resume(); // read the server's answer, or 'close' never comes
        const ok = await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(false), 20_000); // a generous deadline: the node closes at once
          socket.on('error', () => undefined);
          socket.once('close', () => {
            clearTimeout(t);
            resolve(true);
          });
          socket.end(Buffer.concat([Buffer.from(bytes), Buffer.from('\r\n\r\n')]));
        });
        if (!ok) {
          hung.push(Buffer.from(bytes).toString('hex'));
          socket.destroy();
        }
      }),
      { numRuns: 200 },
    );
    expect(hung).toEqual([]);
    await stillServing();
  });
});
