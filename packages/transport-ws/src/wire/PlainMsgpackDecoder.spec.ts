import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Packr, Unpackr } from 'msgpackr';
import { NOT_PLAIN, PlainMsgpackDecoder } from './PlainMsgpackDecoder';

const plain = new Packr({ useRecords: false });
const hostile = new Packr({ useRecords: true, moreTypes: true, structuredClone: true });
const decoder = new PlainMsgpackDecoder(1000, 8);
const reference = new Unpackr({ useRecords: false, structuredClone: false, moreTypes: false, int64AsType: 'number', mapsAsObjects: true });

const ScanResult = { plain: 'plain', illFormedText: 'illFormedText', invalid: 'invalid' } as const;

/** How the decoder classifies `bytes` (the scanner's three outcomes, which it replaces). */
function classify(bytes: Uint8Array, d = decoder): string {
  if (d.decode(bytes) === NOT_PLAIN) return ScanResult.invalid;
  return d.illFormedText ? ScanResult.illFormedText : ScanResult.plain;
}

/** `template` packed, with every occurrence of the ASCII `marker` replaced by `bytes` (same length). */
function patched(template: unknown, marker: string, bytes: number[]): Buffer {
  const b = Buffer.from(plain.pack(template));
  const at = b.indexOf(marker);
  expect(at).toBeGreaterThanOrEqual(0);
  Buffer.from(bytes).copy(b, at);
  return b;
}

describe('PlainMsgpackDecoder', () => {
  it('decodes short strings (0–16 bytes, built from scratch arrays) of every length, one after the other, as msgpackr does', () => {
    const words: string[] = [];
    for (let n = 0; n <= 17; n++) {
      words.push('abcdefghijklmnopq'.slice(0, n), 'QRSTUVWXYZ0123456'.slice(0, n), `${'x'.repeat(Math.max(0, n - 2))}é`);
    }
    const bytes = plain.pack({ words, again: words.slice().reverse() });
    expect(decoder.decode(bytes)).toEqual(reference.unpack(bytes));
    expect(decoder.decode(bytes)).toEqual({ words, again: words.slice().reverse() });
  });

  it('decodes plain msgpack exactly as msgpackr does', () => {
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 5 }),
      fc.dictionary(
        fc.string({ unit: 'binary' }),
        fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.double(), fc.string({ unit: 'binary', maxLength: 300 })),
      ),
      fc.array(
        fc.oneof(
          fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
          fc.maxSafeInteger(),
          fc.maxSafeNat().map((n) => -n),
          fc.float(),
          fc.boolean(),
        ),
        {
          maxLength: 70,
        },
      ),
    );
    const d = new PlainMsgpackDecoder(100_000, 16); // one decoder for every run: its key cache sees many keys, colliding ones too
    fc.assert(
      fc.property(value, (v) => {
        const bytes = plain.pack(v);
        expect(d.decode(bytes)).toEqual(reference.unpack(bytes));
        expect(d.illFormedText).toBe(false);
      }),
      { numRuns: 1000 },
    );
    // 64-bit integers, float32, bin and str of every length header, a __proto__ key (renamed, never a prototype)
    const edge = Buffer.concat([
      Buffer.of(0x9a, 0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xd3, 0x80, 0, 0, 0, 0, 0, 0, 1),
      Buffer.of(0xd3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe, 0xca, 0x3f, 0xc0, 0, 0, 0xc4, 1, 7),
      Buffer.of(0xc5, 0, 1, 8, 0xc6, 0, 0, 0, 1, 9, 0xda, 0, 1, 0x61, 0xdb, 0, 0, 0, 1, 0x62),
      plain.pack(JSON.parse('{"__proto__": {"polluted": 1}}')),
    ]);
    const decoded = decoder.decode(edge);
    expect(decoded).toEqual(reference.unpack(edge));
    expect(Object.getPrototypeOf((decoded as object[])[9])).toBe(Object.prototype);
    expect((decoded as Array<Record<string, unknown>>)[9]).toEqual({ __proto_: { polluted: 1 } });
  });

  it('returns exactly the key the bytes spell, whatever its cache holds', () => {
    const d = new PlainMsgpackDecoder(100_000, 16);
    const keys = Array.from({ length: 5000 }, (_, i) => `k${(i * 7919) % 100_003}`.slice(0, 1 + (i % 16)));
    for (let round = 0; round < 2; round++) {
      for (const k of keys) expect(Object.keys(d.decode(plain.pack({ [k]: 1 })) as object)).toEqual([k]);
    }
  });

  it("decodes a top-level array's strings (a frame's message type, through the key cache) exactly, whatever the cache holds", () => {
    const d = new PlainMsgpackDecoder(100_000, 16); // one decoder: its cache sees every type, colliding ones too
    const text = fc.oneof(
      fc.string({ unit: fc.constantFrom('a', 'b', '.', 'é', 'z'), maxLength: 40 }),
      fc.stringMatching(/^[a-z.]{0,31}$/),
      fc.string({ unit: 'binary', maxLength: 33 }),
    );
    const frame = fc.tuple(fc.integer({ min: 0, max: 11 }), fc.nat(), text, fc.oneof(text, fc.jsonValue({ maxDepth: 2 })));
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 20 }), (frames) => {
        for (const f of frames) {
          const bytes = plain.pack(f);
          expect(d.decode(bytes)).toEqual(reference.unpack(bytes));
          expect(d.illFormedText).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
    // Every length of fixstr, twice each (the second one a cache hit), and strings sharing a slot.
    const types = Array.from({ length: 4000 }, (_, i) => `t${(i * 7919) % 100_003}.result`.padEnd(1 + (i % 31), 'x').slice(0, i % 32));
    for (let round = 0; round < 2; round++) {
      for (const t of types) expect(d.decode(plain.pack([2, 1, t, null]))).toEqual([2, 1, t, null]);
    }
    // An ill-formed str at the top level is still noticed; a truncated one is refused.
    expect(classify(patched([2, 1, 'ab', null], 'ab', [0xc3, 0x28]), d)).toBe(ScanResult.illFormedText);
    expect(classify(Buffer.of(0x94, 2, 1, 0xa5, 0x61), d)).toBe(ScanResult.invalid);
    expect(classify(Buffer.of(0x91), d)).toBe(ScanResult.invalid);
    // Each such str counts against the node budget, as any value does.
    expect(classify(plain.pack(new Array(999).fill('a')), new PlainMsgpackDecoder(1000, 8))).toBe(ScanResult.plain);
    expect(classify(plain.pack(new Array(1000).fill('a')), new PlainMsgpackDecoder(1000, 8))).toBe(ScanResult.invalid);
  });

  it('passes plain msgpack of every kind', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.uint8Array({ maxLength: 70_000 })), (v) => {
        expect(classify(plain.pack(v))).toBe(ScanResult.plain);
      }),
      { numRuns: 300 },
    );
    for (const v of [2 ** 53, -(2 ** 40), 1.5, 'é😀', { ключ: 'значение' }, new Uint8Array(300), 'x'.repeat(70_000)]) {
      expect(classify(plain.pack(v))).toBe(ScanResult.plain);
    }
  });

  it.each([
    [
      'a structured-clone id and pointers',
      (() => {
        const a = [1];
        return [a, a];
      })(),
    ],
    ['a record', [{ a: 1 }, { a: 2 }]],
    ['a Date', new Date(0)],
    ['a Set', new Set([1])],
    ['an Error', new Error('x')],
    ['a typed array', new Float64Array(2)],
    ['a RegExp', /x/],
    ['a bigint', 2n ** 70n],
  ])('rejects %s (any extension type)', (_what, value) => {
    expect(classify(hostile.pack(value))).toBe(ScanResult.invalid);
  });

  it('rejects every ext and fixext header, 0xc1, non-str map keys, truncation and trailing bytes', () => {
    for (const t of [0xd4, 0xd5, 0xd6, 0xd7, 0xd8])
      expect(classify(Buffer.from([t, 1, ...new Array(16).fill(0)]))).toBe(ScanResult.invalid);
    for (const head of [
      [0xc7, 1, 5, 0],
      [0xc8, 0, 1, 5, 0],
      [0xc9, 0, 0, 0, 1, 5, 0],
    ])
      expect(classify(Buffer.from(head))).toBe(ScanResult.invalid);
    expect(classify(Buffer.of(0xc1))).toBe(ScanResult.invalid);
    expect(classify(Buffer.of(0x81, 0x01, 0x02))).toBe(ScanResult.invalid); // {1: 2}
    expect(classify(Buffer.of(0x92, 0x01))).toBe(ScanResult.invalid);
    expect(classify(Buffer.of(0xc4, 5, 1))).toBe(ScanResult.invalid);
    expect(classify(Buffer.of(0xdd, 0xff, 0xff, 0xff, 0xff))).toBe(ScanResult.invalid);
    expect(classify(Buffer.of(0x01, 0x02))).toBe(ScanResult.invalid);
    expect(classify(Buffer.alloc(0))).toBe(ScanResult.invalid);
  });

  it('stops at its node budget and its depth limit', () => {
    expect(classify(plain.pack(new Array(999).fill(0)), new PlainMsgpackDecoder(1000, 8))).toBe(ScanResult.plain);
    expect(classify(plain.pack(new Array(1000).fill(0)), new PlainMsgpackDecoder(1000, 8))).toBe(ScanResult.invalid);
    expect(classify(plain.pack([{ k: new Array(997).fill(0) }]), new PlainMsgpackDecoder(1000, 8))).toBe(ScanResult.invalid);
    let deep: unknown = 0;
    for (let i = 0; i < 8; i++) deep = [deep];
    expect(classify(plain.pack(deep))).toBe(ScanResult.plain);
    expect(classify(plain.pack([deep]))).toBe(ScanResult.invalid);
  });

  it('notes ill-formed UTF-8 in strings and in map keys', () => {
    expect(classify(patched(['AAAA'], 'AAAA', [0xff, 0xfe, 0x41, 0x41]))).toBe(ScanResult.illFormedText);
    expect(classify(patched({ AAAA: 1 }, 'AAAA', [0x41, 0xc3, 0x41, 0x41]))).toBe(ScanResult.illFormedText);
    expect(classify(patched(['AAAA'], 'AAAA', [0xed, 0xa0, 0x80, 0x41]))).toBe(ScanResult.illFormedText); // a surrogate
    expect(classify(patched(['AAAA'], 'AAAA', [0xc0, 0x80, 0x41, 0x41]))).toBe(ScanResult.illFormedText); // overlong
    expect(classify(patched(['AAAA'], 'AAAA', [0xc3, 0xa9, 0x41, 0x41]))).toBe(ScanResult.plain); // é
    const long = 'A'.repeat(40);
    expect(classify(patched([long], long, [0x41, 0x41, 0xff]))).toBe(ScanResult.illFormedText); // past the short-string path
    expect(classify(patched({ [long]: 1 }, long, [0xe2, 0x82, 0xac]))).toBe(ScanResult.plain); // €
  });
});
