import { MAX_WIRE_DEPTH, MAX_WIRE_ERROR_MESSAGE, MAX_WIRE_NODES } from '@dynamis/core';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { frameFault } from './frameCheck';
import { explainFrame, FrameKind, MAX_CREDIT_GRANT, MAX_ID, MAX_TYPE_LENGTH } from './frameSchema';

// The fast path (frameFault) must give the schemas' verdict (explainFrame, zod) on every value: accept the same
// frames, reject the same non-frames, and name the same first wrong field.
function agree(value: unknown): void {
  const fast = frameFault(value);
  const slow = explainFrame(value);
  expect(fast).toBe(slow?.field);
}

const id = fc.integer({ min: 1, max: MAX_ID });
const type = fc.string({ minLength: 1, maxLength: MAX_TYPE_LENGTH });
const payload = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  fc.uint8Array({ maxLength: 32 }),
  fc.dictionary(fc.string(), fc.oneof(fc.uint8Array({ maxLength: 8 }), fc.double(), fc.constant(null))),
);
const wireError = fc.record({
  code: fc.string({ minLength: 1, maxLength: 64 }),
  message: fc.string({ maxLength: 64 }),
  details: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 })),
});
const proof = fc.uint8Array({ minLength: 32, maxLength: 32 });

/** Every kind's well-formed frames. */
const frame = fc.oneof(
  fc.tuple(fc.constantFrom(FrameKind.Auth, FrameKind.AuthOk), fc.constant(0), fc.constant(''), proof),
  fc.tuple(fc.constantFrom(FrameKind.Request, FrameKind.Response, FrameKind.StreamOpen), id, type, payload),
  fc.tuple(fc.constant(FrameKind.OneWay), fc.constant(0), type, payload),
  fc.tuple(fc.constantFrom(FrameKind.ErrorResponse, FrameKind.StreamAbort), id, fc.constant(''), wireError),
  fc.tuple(fc.constant(FrameKind.StreamChunk), id, fc.constant(''), fc.uint8Array({ maxLength: 64 })),
  fc.tuple(fc.constantFrom(FrameKind.StreamEnd, FrameKind.StreamCancel), id, fc.constant(''), fc.constant(null)),
  fc.tuple(fc.constant(FrameKind.StreamCredit), id, fc.constant(''), fc.integer({ min: 1, max: MAX_CREDIT_GRANT })),
);

class Point {
  constructor(readonly code = 'X') {}
}

function nested(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Values at and beyond every bound, of every wrong type, and the hostile shapes of the hardening issue. */
const hostile = fc.oneof(
  fc.constantFrom<unknown>(
    undefined,
    null,
    NaN,
    -0,
    0,
    -1,
    0.5,
    1.5,
    Infinity,
    -Infinity,
    MAX_ID,
    MAX_ID + 1,
    2 ** 53,
    MAX_CREDIT_GRANT,
    MAX_CREDIT_GRANT + 1,
    '',
    '2',
    'x'.repeat(MAX_TYPE_LENGTH),
    'x'.repeat(MAX_TYPE_LENGTH + 1),
    true,
    10n,
    Symbol('s'),
    () => 1,
    new Uint8Array(31),
    new Uint8Array(32),
    new Uint8Array(33),
    Buffer.alloc(32),
    new Float64Array(4),
    new Date(0),
    new Map([['code', 'X']]),
    new Set([1]),
    new Error('x'),
    /x/,
    new Point(),
    Object.create(null) as unknown,
    [],
    [1, 2, 3, 4],
    nested(MAX_WIRE_DEPTH),
    nested(MAX_WIRE_DEPTH + 1),
    { deep: nested(MAX_WIRE_DEPTH - 1) },
    { deep: nested(MAX_WIRE_DEPTH) },
    JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
    JSON.parse('{"a": {"__proto__": [1]}}') as unknown,
    { ['__proto__']: new Date(0) },
    { [Symbol('k')]: 1 },
    { constructor: 'not a function' },
    { constructor: Point },
  ),
  fc.anything({
    maxDepth: 3,
    withNullPrototype: true,
    withBoxedValues: true,
    withMap: true,
    withSet: true,
    withDate: true,
    withTypedArray: true,
    withSparseArray: true,
    withBigInt: true,
    withObjectString: true,
  }),
);

/** wireError bodies that are almost right: one key wrong, missing, extra, inherited, or out of range. */
const badWireError = fc.oneof(
  wireError.map((e) => ({ ...e, stack: 's' })),
  wireError.map(({ code, message }) => ({ code, message })),
  wireError.map(({ message, details }) => ({ message, details })),
  wireError.map((e) => ({ ...e, code: '' })),
  wireError.map((e) => ({ ...e, code: 'C'.repeat(65) })),
  wireError.map((e) => ({ ...e, code: 'C'.repeat(64) })),
  wireError.map((e) => ({ ...e, message: 'm'.repeat(MAX_WIRE_ERROR_MESSAGE + 1) })),
  wireError.map((e) => ({ ...e, message: 'm'.repeat(MAX_WIRE_ERROR_MESSAGE) })),
  fc.tuple(wireError, hostile).map(([e, details]) => ({ ...e, details })),
  fc.tuple(wireError, hostile).map(([e, v]) => ({ ...e, details: { ...e.details, v } })),
  wireError.map((e) => Object.assign(Object.create({ extra: 1 }) as object, e)),
  wireError.map((e) => Object.assign(Object.create({ code: 'INHERITED' }) as object, { message: e.message, details: e.details })),
  wireError.map((e) => ({ ...e, details: Object.assign(Object.create(null) as object, e.details) })),
  wireError.map((e) => ({ ...e, details: JSON.parse('{"__proto__": {"x": 1}}') as unknown })),
  wireError.map((e) => Object.assign(new Point(), e)),
);

/** A well-formed frame with one element replaced, one added or one dropped, or the array replaced. */
const mutated = fc.oneof(
  fc.tuple(frame, fc.integer({ min: 0, max: 3 }), hostile).map(([f, at, v]) => {
    const copy: unknown[] = [...f];
    copy[at] = v;
    return copy;
  }),
  fc.tuple(frame, fc.integer({ min: -3, max: 14 })).map(([f, kind]) => [kind, f[1], f[2], f[3]]),
  fc.tuple(frame, fc.constantFrom(FrameKind.ErrorResponse, FrameKind.StreamAbort), badWireError).map(([f, kind, e]) => [kind, f[1], '', e]),
  fc.tuple(frame, hostile).map(([f, v]) => [...f, v]),
  frame.map((f) => f.slice(0, 3)),
  frame.map((f) => {
    const sparse: unknown[] = [...f];
    delete sparse[1];
    return sparse;
  }),
  hostile,
);

describe('frameFault (fast path) vs FRAME_SCHEMAS (zod)', () => {
  it('accepts every well-formed frame of every kind, as the schemas do', () => {
    fc.assert(
      fc.property(frame, (f) => {
        expect(frameFault(f)).toBeUndefined();
        agree(f);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects what the schemas reject, naming the same field, for arbitrary mutations and hostile shapes', () => {
    fc.assert(fc.property(mutated, agree), { numRuns: 5000 });
  });

  it('agrees on ill-formed error bodies (missing, extra, inherited keys, bounds, non-plain details)', () => {
    fc.assert(
      fc.property(fc.constantFrom(FrameKind.ErrorResponse, FrameKind.StreamAbort), id, badWireError, (kind, i, e) =>
        agree([kind, i, '', e]),
      ),
      { numRuns: 2000 },
    );
  });

  it('agrees at the node budget: a payload of MAX_WIRE_NODES values passes, one more does not', () => {
    const atBudget = new Array<number>(MAX_WIRE_NODES - 1).fill(0); // the array itself counts one
    for (const body of [atBudget, [...atBudget, 0]]) {
      agree([FrameKind.Request, 1, 't', body]);
      agree([FrameKind.ErrorResponse, 1, '', { code: 'X', message: '', details: { body } }]);
    }
    expect(frameFault([FrameKind.Request, 1, 't', atBudget])).toBeUndefined();
    expect(frameFault([FrameKind.Request, 1, 't', [...atBudget, 0]])).toBe('body');
  });

  it('names the field for each kind of fault', () => {
    expect(frameFault({ 0: 2 })).toBe('frame');
    expect(frameFault([2, 1, 't'])).toBe('frame');
    expect(frameFault([12, 1, 't', null])).toBe('kind');
    expect(frameFault(['2', 1, 't', null])).toBe('kind');
    expect(frameFault([FrameKind.Request, 0, 't', null])).toBe('id');
    expect(frameFault([FrameKind.Request, NaN, '', new Date()])).toBe('id');
    expect(frameFault([FrameKind.OneWay, 0, '', null])).toBe('type');
    expect(frameFault([FrameKind.StreamEnd, 1, '', 0])).toBe('body');
    expect(explainFrame([FrameKind.StreamEnd, 1, '', 0])?.message).toContain('3');
  });
});
