import fc from 'fast-check';
import type { EngineSupports, Entry } from '@dynamis/core';

/*
 * The operations of storageEngineModelTest and their fast-check
 * arbitraries: few distinct key bytes and short keys, so that operations
 * collide, share prefixes and hit 0x00 / 0xff.
 */

export type Range = { gt?: Uint8Array; gte?: Uint8Array; lt?: Uint8Array; lte?: Uint8Array };
export type Op =
  | { kind: 'put'; key: Uint8Array; value: Uint8Array }
  | { kind: 'del'; key: Uint8Array }
  | { kind: 'batch'; ops: ({ type: 'put'; key: Uint8Array; value: Uint8Array } | { type: 'del'; key: Uint8Array })[] }
  | { kind: 'get'; key: Uint8Array }
  | { kind: 'iterate'; range: Range; reverse: boolean; limit: number; page: number }
  | { kind: 'snapshot'; range: Range; reverse: boolean; writes: { key: Uint8Array; value: Uint8Array | null }[] }
  | { kind: 'seek'; range: Range; reverse: boolean; first: number; target: Uint8Array; page: number }
  | { kind: 'snap'; key: Uint8Array; range: Range; reverse: boolean; target: Uint8Array; writes: Op[] }
  | { kind: 'delRange'; start: Uint8Array; end: Uint8Array }
  | { kind: 'compact'; range: Range | undefined }
  | { kind: 'restart' };

/** The model: hex(key) → [key, value]. */
export type Model = Map<string, Entry>;

// Few distinct bytes, short keys: many collisions, prefixes, 0x00 and 0xff.
export const keyArb = fc
  .uint8Array({ minLength: 0, maxLength: 3 })
  .map((k) => k.map((x) => [0x00, 0x01, 0x7f, 0x80, 0xff][x % 5] as number));
const valueArb = fc.uint8Array({ minLength: 0, maxLength: 8 });
const rangeArb: fc.Arbitrary<Range> = fc.record({ gt: keyArb, gte: keyArb, lt: keyArb, lte: keyArb }, { requiredKeys: [] });
const batchOpArb = fc.oneof(
  fc.record({ type: fc.constant('put' as const), key: keyArb, value: valueArb }),
  fc.record({ type: fc.constant('del' as const), key: keyArb }),
);

const delRangeArb: fc.Arbitrary<Op> = fc.record({ kind: fc.constant('delRange' as const), start: keyArb, end: keyArb });
/** A write made while a snapshot is held: a put, a delete or a range delete. */
const writeArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), key: keyArb, value: valueArb }),
  fc.record({ kind: fc.constant('del' as const), key: keyArb }),
  delRangeArb,
);

export function opArb(supports: EngineSupports): fc.Arbitrary<Op> {
  const ops: fc.WeightedArbitrary<Op>[] = [
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('put' as const), key: keyArb, value: valueArb }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('del' as const), key: keyArb }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('batch' as const), ops: fc.array(batchOpArb, { maxLength: 10 }) }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), key: keyArb }) },
    {
      weight: 4,
      arbitrary: fc.record({
        kind: fc.constant('iterate' as const),
        range: rangeArb,
        reverse: fc.boolean(),
        limit: fc.integer({ min: -1, max: 6 }),
        page: fc.integer({ min: 0, max: 4 }),
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('snapshot' as const),
        range: rangeArb,
        reverse: fc.boolean(),
        writes: fc.array(fc.record({ key: keyArb, value: fc.option(valueArb) }), { maxLength: 5 }),
      }),
    },
    { weight: 1, arbitrary: fc.constant<Op>({ kind: 'restart' }) },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('seek' as const),
        range: rangeArb,
        reverse: fc.boolean(),
        first: fc.integer({ min: 0, max: 3 }),
        target: keyArb,
        page: fc.integer({ min: 0, max: 3 }),
      }),
    },
    { weight: 2, arbitrary: delRangeArb },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('snap' as const),
        key: keyArb,
        range: rangeArb,
        reverse: fc.boolean(),
        target: keyArb,
        writes: fc.array(writeArb, { maxLength: 5 }),
      }),
    },
  ];
  if (supports.compactionFilter) {
    ops.push({
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('compact' as const), range: fc.option(rangeArb, { nil: undefined }) }),
    });
  }
  return fc.oneof(...ops);
}
