import { MAX_WIRE_DEPTH } from '@dynamis/core';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Unpackr } from 'msgpackr';
import { NOT_PLAIN, PlainMsgpackDecoder } from './PlainMsgpackDecoder';
import { PlainMsgpackEncoder } from './PlainMsgpackEncoder';

// msgpackr is the independent reference decoder: what the encoder writes must read back as the value.
const reference = new Unpackr({ useRecords: false, structuredClone: false, moreTypes: false, int64AsType: 'number', mapsAsObjects: true });
const encoder = new PlainMsgpackEncoder();

/** The value as the wire delivers it: undefined as null, -0 as 0, any byte array as its bytes, a `__proto__` key renamed `__proto_`. */
function delivered(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Object.is(v, -0) ? 0 : v;
  if (v instanceof Uint8Array) return { bytes: [...v] };
  if (Array.isArray(v)) return v.map(delivered);
  if (typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k in v) out[k === '__proto__' ? '__proto_' : k] = delivered((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

function roundTrip(body: unknown): unknown {
  const bytes = encoder.frame(2, 7, 'kv.get', body);
  const back = reference.unpack(bytes) as unknown[];
  expect(back.slice(0, 3)).toEqual([2, 7, 'kv.get']);
  return back[3];
}

const plainValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constantFrom(null, undefined, true, false, -0, NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2 ** 64, 1e300),
    fc.integer({ min: -(2 ** 31) - 10, max: 2 ** 32 + 10 }),
    fc.maxSafeInteger(),
    fc.double(),
    fc.string({ unit: 'binary', maxLength: 300 }),
    fc.string({ maxLength: 40 }),
    fc.uint8Array({ maxLength: 300 }),
    fc.array(tie('value'), { maxLength: 20 }),
    fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 40 }), tie('value'), { maxKeys: 20 }),
  ),
})).value;

describe('PlainMsgpackEncoder', () => {
  it('writes what msgpackr and the plain decoder read back as the value', () => {
    const decoder = new PlainMsgpackDecoder(1 << 20, 70);
    fc.assert(
      fc.property(plainValue, (v) => {
        expect(delivered(roundTrip(v))).toEqual(delivered(v));
        const frame = decoder.decode(encoder.frame(3, 1, 't', v));
        expect(frame).not.toBe(NOT_PLAIN);
        expect(decoder.illFormedText).toBe(false);
        expect(delivered((frame as unknown[])[3])).toEqual(delivered(v));
      }),
      { numRuns: 1500 },
    );
  });

  it('widens map and array headers at 16 and 65,536 entries, also when the frame outgrows its slab', () => {
    for (const n of [15, 16, 255, 256, 65_535, 65_536, 70_000]) {
      const map: Record<string, number> = {};
      for (let i = 0; i < n; i++) map[`k${i}`] = i;
      expect(roundTrip(map)).toEqual(map);
      const list = Array.from({ length: n }, (_, i) => i);
      expect(roundTrip(list)).toEqual(list);
      expect(roundTrip({ nested: { map }, s: 'x'.repeat(n) })).toEqual({ nested: { map }, s: 'x'.repeat(n) });
    }
  });

  it('returns frames that later frames never overwrite, across slabs and after a big one', () => {
    const kept = Array.from({ length: 3000 }, (_, i) => [i, encoder.frame(2, i + 1, 't', { i, pad: 'p'.repeat(i % 50) })] as const);
    encoder.frame(2, 1, 't', new Uint8Array(2 * 1024 * 1024)); // a big frame: its slab is not kept
    for (let i = 0; i < 100; i++) encoder.frame(2, 1, 't', { i });
    for (const [i, bytes] of kept) expect(reference.unpack(bytes)).toEqual([2, i + 1, 't', { i, pad: 'p'.repeat(i % 50) }]);
  });

  it('writes a lone surrogate so that the receiver sees ill-formed text, never a different string', () => {
    const decoder = new PlainMsgpackDecoder(1000, 8);
    for (const s of ['a\ud800', 'x'.repeat(40) + '\udc00y', '\ud83d', 'é\ud800é'.repeat(20)]) {
      decoder.decode(encoder.frame(2, 1, 't', { key: s }));
      expect(decoder.illFormedText).toBe(true);
      decoder.decode(encoder.frame(2, 1, 't', { [s]: 1 }));
      expect(decoder.illFormedText).toBe(true);
    }
    for (const s of ['😀', 'é'.repeat(40), 'a😀b']) {
      expect(decoder.decode(encoder.frame(2, 1, 't', s))).toEqual([2, 1, 't', s]);
      expect(decoder.illFormedText).toBe(false);
    }
  });

  it('refuses what plain msgpack cannot carry with INVALID_ARGUMENT, and stays usable', () => {
    let deep: unknown = 0;
    for (let i = 0; i <= MAX_WIRE_DEPTH; i++) deep = [deep];
    class Point {}
    for (const bad of [new Date(0), new Map(), new Point(), 1n, Symbol('s'), () => 1, { a: [new Set()] }, deep]) {
      expect(() => encoder.frame(2, 1, 't', bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(reference.unpack(encoder.frame(2, 1, 't', { ok: 1 }))).toEqual([2, 1, 't', { ok: 1 }]);
    }
    expect(roundTrip(Object.assign(Object.create(null) as object, { a: 1 }))).toEqual({ a: 1 });
  });
});
