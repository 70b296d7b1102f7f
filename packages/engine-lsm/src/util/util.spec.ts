import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { allocBytes, copyOut } from './allocBytes';
import { ByteBuffer, varintLength } from './ByteBuffer';
import { readFixed64, readVarint } from './coding';
import { crc, maskCrc, unmaskCrc } from './crc';
import { compareInternal, compareRange, MAX_SEQ, trailerSeq, writeTrailer } from './internalKey';

describe('coding', () => {
  it('round-trips varints and fixed64 up to 2^53 - 1 (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.nat(300), fc.maxSafeNat()), { maxLength: 20 }), (vs) => {
        const b = new ByteBuffer(16);
        for (const v of vs) {
          b.putVarint(v);
          b.putFixed64(v);
        }
        const cur = { pos: 0 };
        for (const v of vs) {
          const before = cur.pos;
          expect(readVarint(b.buf, cur.pos, b.length, cur)).toBe(v);
          expect(cur.pos - before).toBe(varintLength(v));
          expect(readFixed64(b.buf, cur.pos)).toBe(v);
          cur.pos += 8;
        }
      }),
    );
  });

  it('reports malformed varints as -1', () => {
    const cur = { pos: 0 };
    expect(readVarint(new Uint8Array([0x80, 0x80]), 0, 2, cur)).toBe(-1);
    expect(readVarint(new Uint8Array(9).fill(0xff), 0, 9, cur)).toBe(-1);
    expect(readVarint(new Uint8Array([0x05]), 0, 0, cur)).toBe(-1);
  });

  it('masks and unmasks CRCs and continues a CRC', () => {
    const data = Buffer.from('hello world');
    const c = crc(data);
    expect(unmaskCrc(maskCrc(c))).toBe(c);
    expect(maskCrc(c)).not.toBe(c);
    expect(crc(data.subarray(5), crc(data.subarray(0, 5)))).toBe(c);
  });
});

describe('internal keys', () => {
  it('packs trailers like LevelDB (seq * 256 + kind, little-endian)', () => {
    const b = new Uint8Array(8);
    writeTrailer(b, 0, 0x0102030405, 1);
    expect(Array.from(b)).toEqual([1, 0x05, 0x04, 0x03, 0x02, 0x01, 0, 0]);
    writeTrailer(b, 0, MAX_SEQ, 0);
    expect(trailerSeq(b, 0)).toBe(MAX_SEQ);
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.constantFrom(0, 1), (seq, kind) => {
        writeTrailer(b, 0, seq, kind);
        expect(trailerSeq(b, 0)).toBe(seq);
        expect(b[0]).toBe(kind);
      }),
    );
  });

  it('orders by user key asc, then seq desc', () => {
    const k = (s: string): Uint8Array => Buffer.from(s);
    expect(compareInternal(k('a'), 1, 1, k('b'), 9, 1)).toBeLessThan(0);
    expect(compareInternal(k('a'), 9, 1, k('a'), 1, 1)).toBeLessThan(0);
    expect(compareInternal(k('a'), 5, 1, k('a'), 5, 0)).toBeLessThan(0);
    expect(compareInternal(k('a'), 5, 1, k('ab'), 5, 1)).toBeLessThan(0);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 8 }), fc.uint8Array({ maxLength: 8 }), (a, b) => {
        expect(Math.sign(compareRange(a, 0, a.length, b, 0, b.length))).toBe(Math.sign(Buffer.compare(a, b)));
      }),
    );
  });
});

describe('allocBytes', () => {
  it('hands out distinct zeroed arrays and copies', () => {
    const a = allocBytes(10);
    const b = allocBytes(10);
    a.fill(1);
    expect(Array.from(b)).toEqual(new Array(10).fill(0));
    expect(allocBytes(5000).length).toBe(5000);
    const src = Buffer.from('abcdefgh');
    expect(Buffer.from(copyOut(src, 2, 5)).toString()).toBe('cde');
    const big = new Uint8Array(300).map((_, i) => i & 0xff);
    expect(copyOut(big, 10, 290)).toEqual(big.slice(10, 290));
  });
});
