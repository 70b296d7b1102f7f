import { MAX_WIRE_DEPTH, MAX_WIRE_NODES } from '@dynamis/core';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { frameFault } from './frameCheck';
import { FrameCodec, IllFormedTextFrame } from './FrameCodec';
import { FrameKind, MAX_ID, type Frame } from './frameSchema';
import { NOT_PLAIN, PlainMsgpackDecoder } from './PlainMsgpackDecoder';

const codec = new FrameCodec();
const hostile = new Packr({ useRecords: true, moreTypes: true, structuredClone: true });
const plain = new Packr({ useRecords: false });

const payload = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.uint8Array({ maxLength: 32 }));

/** `v` with every `__proto__` own key renamed `__proto_`, as the decoder delivers it. */
function protoRenamed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(protoRenamed);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v)) out[k === '__proto__' ? '__proto_' : k] = protoRenamed((v as Record<string, unknown>)[k]);
  return out;
}

describe('FrameCodec', () => {
  it('round-trips every well-formed frame kind', () => {
    const frame = fc.oneof(
      fc.tuple(
        fc.constantFrom(FrameKind.Request, FrameKind.Response, FrameKind.StreamOpen),
        fc.integer({ min: 1, max: MAX_ID }),
        fc.string({ minLength: 1, maxLength: 128 }),
        payload,
      ),
      fc.tuple(fc.constant(FrameKind.OneWay), fc.constant(0), fc.string({ minLength: 1, maxLength: 128 }), payload),
      fc.tuple(fc.constant(FrameKind.StreamChunk), fc.integer({ min: 1, max: MAX_ID }), fc.constant(''), fc.uint8Array({ maxLength: 64 })),
      fc.tuple(
        fc.constant(FrameKind.StreamCredit),
        fc.integer({ min: 1, max: MAX_ID }),
        fc.constant(''),
        fc.integer({ min: 1, max: 1 << 20 }),
      ),
      fc.tuple(
        fc.constantFrom(FrameKind.StreamEnd, FrameKind.StreamCancel),
        fc.integer({ min: 1, max: MAX_ID }),
        fc.constant(''),
        fc.constant(null),
      ),
      fc.tuple(
        fc.constantFrom(FrameKind.Auth, FrameKind.AuthOk),
        fc.constant(0),
        fc.constant(''),
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
      ),
      fc.tuple(
        fc.constantFrom(FrameKind.ErrorResponse, FrameKind.StreamAbort),
        fc.integer({ min: 1, max: MAX_ID }),
        fc.constant(''),
        fc.record({
          code: fc.constantFrom('TIMEOUT', 'CONFLICT'),
          message: fc.string(),
          details: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 1 })),
        }),
      ),
    );
    fc.assert(
      fc.property(frame, ([kind, id, type, body]) => {
        const decoded = codec.decode(codec.encode(kind, id, type, body));
        expect(Array.isArray(decoded)).toBe(true);
        const [k, i, t, b] = decoded as Frame;
        expect([k, i, t]).toEqual([kind, id, type]);
        if (body instanceof Uint8Array) {
          expect(b).toBeInstanceOf(Uint8Array);
          expect(Buffer.from(b as Uint8Array).equals(Buffer.from(body))).toBe(true);
        } else {
          // -0 travels as the integer 0 (msgpack has no negative-zero integer); JSON does the same. A `__proto__` key
          // arrives renamed `__proto_` (PlainMsgpackDecoder), never as a prototype.
          expect(b).toEqual(protoRenamed(JSON.parse(JSON.stringify(body))));
        }
      }),
    );
  });

  it('accepts exactly the frames that decoding then walking the whole body (isWireValue) accepts', () => {
    // The slow path: the same bounded decoder, then frameFault walking every body (no bodyIsWireValue shortcut).
    const decoder = new PlainMsgpackDecoder(MAX_WIRE_NODES + 8, MAX_WIRE_DEPTH + 1);
    const slowAccepts = (bytes: Uint8Array): boolean => {
      const v = decoder.decode(bytes);
      return v !== NOT_PLAIN && frameFault(v) === undefined;
    };
    const agree = (bytes: Uint8Array): void => {
      const fast = codec.decode(bytes);
      expect(fast !== undefined).toBe(slowAccepts(bytes));
    };
    /** `leaf` under `depth` levels of arrays and maps (the body itself at depth 0). */
    const nest = (leaf: unknown, depth: number, maps: boolean): unknown => {
      let v = leaf;
      for (let i = 0; i < depth; i++) v = maps && i % 2 === 0 ? { k: v } : [v];
      return v;
    };
    const kind = fc.constantFrom(FrameKind.Request, FrameKind.Response, FrameKind.OneWay, FrameKind.StreamOpen, FrameKind.StreamChunk);
    const leaf = fc.oneof(fc.uint8Array({ maxLength: 4 }), fc.jsonValue({ maxDepth: 2 }), fc.constant([]), fc.constant({}));
    const depth = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.integer({ min: MAX_WIRE_DEPTH - 3, max: MAX_WIRE_DEPTH + 2 }));
    fc.assert(
      fc.property(kind, fc.integer({ min: 0, max: 3 }), leaf, depth, fc.boolean(), (k, id, l, d, maps) => {
        agree(plain.pack([k, k === FrameKind.OneWay ? 0 : id, k === FrameKind.StreamChunk ? '' : 't', nest(l, d, maps)]));
      }),
      { numRuns: 2000 },
    );
    // The edges, both sides: a bin at the deepest level a body may nest to (accepted) and one deeper (refused);
    // a body of exactly MAX_WIRE_NODES values (accepted) and of one more (refused), with or without map keys.
    const bytes = new Uint8Array(1);
    for (const [body, ok] of [
      [nest(bytes, MAX_WIRE_DEPTH - 1, false), true],
      [nest(bytes, MAX_WIRE_DEPTH, false), false],
      [nest(bytes, MAX_WIRE_DEPTH, true), false],
      [nest(0, MAX_WIRE_DEPTH, false), true],
      [new Array(MAX_WIRE_NODES - 1).fill(0), true],
      [new Array(MAX_WIRE_NODES).fill(0), false],
      [{ a: new Array(MAX_WIRE_NODES - 2).fill(0) }, true],
      [{ a: new Array(MAX_WIRE_NODES - 1).fill(0) }, false],
    ] as const) {
      const frame = plain.pack([FrameKind.Request, 1, 't', body]);
      expect(codec.decode(frame) !== undefined).toBe(ok);
      agree(frame);
    }
  });

  it('keeps Uint8Array payloads as bytes, nested too', () => {
    const [, , , body] = codec.decode(
      codec.encode(FrameKind.Request, 1, 't', { v: new Uint8Array([9, 8]), list: [Uint8Array.of()] }),
    ) as Frame;
    const b = body as { v: Uint8Array; list: Uint8Array[] };
    expect(b.v).toBeInstanceOf(Uint8Array);
    expect([...b.v]).toEqual([9, 8]);
    expect(b.list[0]).toBeInstanceOf(Uint8Array);
  });

  it.each([
    ['not msgpack', Buffer.of(0xc1)],
    ['empty', Buffer.alloc(0)],
    ['trailing bytes', Buffer.concat([plain.pack([2, 1, 't', null]), Buffer.of(0)])],
    ['not an array', plain.pack({ kind: 2 })],
    ['too short', plain.pack([2, 1, 't'])],
    ['too long', plain.pack([2, 1, 't', null, null])],
    ['unknown kind', plain.pack([12, 1, 't', null])],
    ['negative kind', plain.pack([-1, 1, 't', null])],
    ['fractional kind', plain.pack([2.5, 1, 't', null])],
    ['request id 0', plain.pack([FrameKind.Request, 0, 't', null])],
    ['id beyond 32 bits', plain.pack([FrameKind.Request, 2 ** 32, 't', null])],
    ['empty type', plain.pack([FrameKind.Request, 1, '', null])],
    ['type too long', plain.pack([FrameKind.Request, 1, 'x'.repeat(129), null])],
    ['one-way with an id', plain.pack([FrameKind.OneWay, 3, 't', null])],
    ['chunk that is not bytes', plain.pack([FrameKind.StreamChunk, 1, '', 'text'])],
    ['credit 0', plain.pack([FrameKind.StreamCredit, 1, '', 0])],
    ['credit too big', plain.pack([FrameKind.StreamCredit, 1, '', (1 << 20) + 1])],
    ['short proof', plain.pack([FrameKind.Auth, 0, '', Buffer.alloc(31)])],
    ['error without details', plain.pack([FrameKind.ErrorResponse, 1, '', { code: 'X', message: 'm' }])],
    ['error with extra keys', plain.pack([FrameKind.ErrorResponse, 1, '', { code: 'X', message: 'm', details: {}, stack: 's' }])],
    ['Date payload', hostile.pack([FrameKind.Request, 1, 't', { at: new Date(0) }])],
    ['Error payload', hostile.pack([FrameKind.Request, 1, 't', new Error('x')])],
    ['deep nesting', Buffer.concat([Buffer.from([0x94, 2, 1, 0xa1, 0x74]), Buffer.alloc(100, 0x91), Buffer.of(0xc0)])],
  ])('rejects %s', (_what, bytes) => {
    expect(codec.decode(bytes)).toBeUndefined();
  });

  it.each([
    ['bytes', Buffer.of(0xc1)],
    ['frame', plain.pack([2, 1, 't'])],
    ['kind', plain.pack([12, 1, 't', null])],
    ['id', plain.pack([FrameKind.Request, 0, 't', null])],
    ['type', plain.pack([FrameKind.Request, 1, '', null])],
    ['body', plain.pack([FrameKind.StreamCredit, 1, '', 0])],
  ])('explains a rejection as PROTOCOL_ERROR naming the field (%s), once', (field, bytes) => {
    expect(codec.decode(bytes)).toBeUndefined();
    const err = codec.lastRejection();
    expect(err).toMatchObject({ code: 'PROTOCOL_ERROR', details: { field } });
    expect(err?.message).toMatch(/^invalid frame: ./);
    expect(codec.lastRejection()).toBeUndefined();
    codec.decode(plain.pack([FrameKind.StreamEnd, 1, '', null]));
    expect(codec.lastRejection()).toBeUndefined();
  });
  it('decodes a Map, a typed array or a 64-bit integer to plain data only', () => {
    for (const value of [new Map([[1, 2]]), new Float64Array(2), 2n ** 63n, new Set([1])]) {
      const frame = codec.decode(hostile.pack([FrameKind.Request, 1, 't', value]));
      if (frame === undefined) continue; // rejected: fine too
      const body = (frame as Frame)[3];
      expect(
        body === null ||
          typeof body !== 'object' ||
          body instanceof Uint8Array ||
          Array.isArray(body) ||
          Object.getPrototypeOf(body) === Object.prototype,
      ).toBe(true);
    }
  });

  it('rejects a small frame that structured clone would decode into a shared graph (a DAG of depth 30)', () => {
    let dag: unknown = ['leaf'];
    for (let i = 0; i < 30; i++) dag = [dag, dag];
    const bytes = hostile.pack([FrameKind.Request, 1, 'client.get', { key: dag }]);
    expect(bytes.length).toBeLessThan(1024);
    // Decoded with pointers, this would be 2^30 paths: a walk over it would not finish within the test's timeout.
    expect(codec.decode(bytes)).toBeUndefined();
  });

  it('marks a request whose strings are not well-formed UTF-8, keeping its kind and id', () => {
    const bytes = Buffer.from(plain.pack([FrameKind.Request, 7, 'client.get', { key: 'AAAA' }]));
    const at = bytes.indexOf('AAAA');
    bytes[at] = 0xff;
    const frame = codec.decode(bytes);
    expect(frame).toBeInstanceOf(IllFormedTextFrame);
    expect(frame).toMatchObject({ kind: FrameKind.Request, id: 7 });
    bytes[at] = 0x41;
    expect(codec.decode(bytes)).toEqual([FrameKind.Request, 7, 'client.get', { key: 'AAAA' }]);
  });

  it('never throws on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const frame = codec.decode(bytes);
        if (frame !== undefined) expect(Array.isArray(frame) || frame instanceof IllFormedTextFrame).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
