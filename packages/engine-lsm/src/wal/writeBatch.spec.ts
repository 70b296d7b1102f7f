import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isDynamisError } from '@dynamis/core';
import type { EntryKind } from '../util/internalKey';
import { decodeWriteBatch, encodeWriteBatch, WriteBatchBuilder } from './writeBatch';
import type { WriteBatchOp } from './writeBatch';

const opArb: fc.Arbitrary<WriteBatchOp> = fc.oneof(
  fc.record({ kind: fc.constant<EntryKind>(1), key: fc.uint8Array({ maxLength: 300 }), value: fc.uint8Array({ maxLength: 300 }) }),
  fc.record({ kind: fc.constant<EntryKind>(0), key: fc.uint8Array({ maxLength: 300 }) }),
);
const seqArb = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER - 1000 });

function plain(ops: WriteBatchOp[]): unknown[] {
  return ops.map((o) =>
    o.kind === 1
      ? [o.kind, Buffer.from(o.key).toString('hex'), Buffer.from(o.value!).toString('hex')]
      : [o.kind, Buffer.from(o.key).toString('hex')],
  );
}

function corruptionOf(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (err) {
    return isDynamisError(err, 'CORRUPTION');
  }
}

describe('write batch', () => {
  it('round-trips (property)', () => {
    fc.assert(
      fc.property(seqArb, fc.array(opArb, { maxLength: 30 }), (baseSeq, ops) => {
        const d = decodeWriteBatch(encodeWriteBatch(baseSeq, ops));
        expect(d.baseSeq).toBe(baseSeq);
        expect(plain(d.ops)).toEqual(plain(ops));
      }),
    );
  });

  it('throws CORRUPTION for every truncation and for trailing bytes (property)', () => {
    fc.assert(
      fc.property(seqArb, fc.array(opArb, { minLength: 1, maxLength: 8 }), (baseSeq, ops) => {
        const p = encodeWriteBatch(baseSeq, ops);
        for (let cut = 0; cut < p.length; cut++) expect(corruptionOf(() => decodeWriteBatch(p.subarray(0, cut)))).toBe(true);
        const longer = new Uint8Array(p.length + 1);
        longer.set(p);
        expect(corruptionOf(() => decodeWriteBatch(longer))).toBe(true);
      }),
      { numRuns: 50 },
    );
  });

  it('rejects bad kinds, counts and sequences, naming file and offset', () => {
    const p = encodeWriteBatch(10, [{ kind: 1, key: Buffer.from('k'), value: Buffer.from('v') }]);
    const badKind = p.slice();
    badKind[12] = 7;
    try {
      decodeWriteBatch(badKind, 'wal/000001.log', 1000);
      throw new Error('no error');
    } catch (err) {
      expect(isDynamisError(err, 'CORRUPTION') && err.details).toEqual({ file: 'wal/000001.log', offset: 1012 });
    }
    const badCount = p.slice();
    badCount[8] = 2;
    expect(corruptionOf(() => decodeWriteBatch(badCount))).toBe(true);
    const badSeq = p.slice();
    badSeq.fill(0xff, 0, 8);
    expect(corruptionOf(() => decodeWriteBatch(badSeq))).toBe(true);
  });

  it('builds batches in a reusable buffer, from port ops, and merges them', () => {
    const b = new WriteBatchBuilder();
    b.addOps([
      { type: 'put', key: Buffer.from('a'), value: Buffer.from('1') },
      { type: 'del', key: Buffer.from('b') },
    ]);
    b.setBaseSeq(41);
    const first = b.payload().slice();
    b.reset();
    b.put(Buffer.from('c'), Buffer.from('3'));
    b.append(first);
    b.setBaseSeq(100);
    expect(b.count).toBe(3);
    const d = decodeWriteBatch(b.payload());
    expect(d.baseSeq).toBe(100);
    expect(plain(d.ops)).toEqual([
      [1, '63', '33'],
      [1, '61', '31'],
      [0, '62'],
    ]);
    expect(b.byteLength).toBe(b.payload().length);
    expect(() => b.setBaseSeq(Number.MAX_SAFE_INTEGER)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
