import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { Packr } from 'msgpackr';
import { PlainMsgpackScanner, ScanResult } from './PlainMsgpackScanner';

const plain = new Packr({ useRecords: false });
const hostile = new Packr({ useRecords: true, moreTypes: true, structuredClone: true });
const scanner = new PlainMsgpackScanner(1000, 8);

/** `template` packed, with every occurrence of the ASCII `marker` replaced by `bytes` (same length). */
function patched(template: unknown, marker: string, bytes: number[]): Buffer {
  const b = Buffer.from(plain.pack(template));
  const at = b.indexOf(marker);
  expect(at).toBeGreaterThanOrEqual(0);
  Buffer.from(bytes).copy(b, at);
  return b;
}

describe('PlainMsgpackScanner', () => {
  it('passes plain msgpack of every kind', () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), fc.uint8Array({ maxLength: 70_000 })), (v) => {
        expect(scanner.scan(plain.pack(v))).toBe(ScanResult.plain);
      }),
      { numRuns: 300 },
    );
    for (const v of [2 ** 53, -(2 ** 40), 1.5, 'é😀', { ключ: 'значение' }, new Uint8Array(300), 'x'.repeat(70_000)]) {
      expect(scanner.scan(plain.pack(v))).toBe(ScanResult.plain);
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
    expect(scanner.scan(hostile.pack(value))).toBe(ScanResult.invalid);
  });

  it('rejects every ext and fixext header, 0xc1, non-str map keys, truncation and trailing bytes', () => {
    for (const t of [0xd4, 0xd5, 0xd6, 0xd7, 0xd8])
      expect(scanner.scan(Buffer.from([t, 1, ...new Array(16).fill(0)]))).toBe(ScanResult.invalid);
    for (const head of [
      [0xc7, 1, 5, 0],
      [0xc8, 0, 1, 5, 0],
      [0xc9, 0, 0, 0, 1, 5, 0],
    ])
      expect(scanner.scan(Buffer.from(head))).toBe(ScanResult.invalid);
    expect(scanner.scan(Buffer.of(0xc1))).toBe(ScanResult.invalid);
    expect(scanner.scan(Buffer.of(0x81, 0x01, 0x02))).toBe(ScanResult.invalid); // {1: 2}
    expect(scanner.scan(Buffer.of(0x92, 0x01))).toBe(ScanResult.invalid);
    expect(scanner.scan(Buffer.of(0xc4, 5, 1))).toBe(ScanResult.invalid);
    expect(scanner.scan(Buffer.of(0xdd, 0xff, 0xff, 0xff, 0xff))).toBe(ScanResult.invalid);
    expect(scanner.scan(Buffer.of(0x01, 0x02))).toBe(ScanResult.invalid);
    expect(scanner.scan(Buffer.alloc(0))).toBe(ScanResult.invalid);
  });

  it('stops at its node budget and its depth limit', () => {
    expect(new PlainMsgpackScanner(1000, 8).scan(plain.pack(new Array(999).fill(0)))).toBe(ScanResult.plain);
    expect(new PlainMsgpackScanner(1000, 8).scan(plain.pack(new Array(1000).fill(0)))).toBe(ScanResult.invalid);
    expect(new PlainMsgpackScanner(1000, 8).scan(plain.pack([{ k: new Array(997).fill(0) }]))).toBe(ScanResult.invalid);
    let deep: unknown = 0;
    for (let i = 0; i < 8; i++) deep = [deep];
    expect(scanner.scan(plain.pack(deep))).toBe(ScanResult.plain);
    expect(scanner.scan(plain.pack([deep]))).toBe(ScanResult.invalid);
  });

  it('notes ill-formed UTF-8 in strings and in map keys', () => {
    expect(scanner.scan(patched(['AAAA'], 'AAAA', [0xff, 0xfe, 0x41, 0x41]))).toBe(ScanResult.illFormedText);
    expect(scanner.scan(patched({ AAAA: 1 }, 'AAAA', [0x41, 0xc3, 0x41, 0x41]))).toBe(ScanResult.illFormedText);
    expect(scanner.scan(patched(['AAAA'], 'AAAA', [0xed, 0xa0, 0x80, 0x41]))).toBe(ScanResult.illFormedText); // a surrogate
    expect(scanner.scan(patched(['AAAA'], 'AAAA', [0xc0, 0x80, 0x41, 0x41]))).toBe(ScanResult.illFormedText); // overlong
    expect(scanner.scan(patched(['AAAA'], 'AAAA', [0xc3, 0xa9, 0x41, 0x41]))).toBe(ScanResult.plain); // é
  });
});
