import { isWireValue, MAX_MESSAGE_TYPE_LENGTH, MAX_WIRE_DEPTH, type Envelope } from '@dynamis/core';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FrameKind } from '../wire/frameSchema';
import { FrameCodec } from '../wire/FrameCodec';
import { encodeMessage } from './encodeMessage';

const env = { codec: new FrameCodec(), maxPayloadBytes: 1 << 20 };

/** What encodeMessage did with `payload`: 'ok', or the error code it threw. */
function outcome(payload: unknown): string {
  try {
    encodeMessage(env, FrameKind.Request, 1, { type: 't', payload });
    return 'ok';
  } catch (err) {
    return (err as { code?: string }).code ?? String(err);
  }
}

class Point {
  x = 1;
}
const nested = (depth: number, leaf: unknown): unknown => {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = i % 2 === 0 ? [v] : { v };
  return v;
};
const cyclic = (): unknown => {
  const o: Record<string, unknown> = { a: 1 };
  o.self = o;
  return o;
};

/** Plain data and every shape the wire refuses (hardening issue), alone and inside plain data. */
const hostile = fc.oneof(
  fc.constantFrom<unknown>(
    new Date(0),
    new Map([[1, 2]]),
    new Set([1]),
    new Point(),
    new Int16Array(2),
    new Float64Array(1),
    new DataView(new ArrayBuffer(1)),
    new ArrayBuffer(2),
    1n,
    Symbol('s'),
    () => 1,
    /re/,
    new Error('e'),
    Promise.resolve(),
    new Number(1),
    new String('s'),
    Buffer.from('ok'),
    Object.create(null) as unknown,
    cyclic(),
    nested(MAX_WIRE_DEPTH, 0),
    nested(MAX_WIRE_DEPTH, new Uint8Array(1)),
    nested(MAX_WIRE_DEPTH - 1, new Uint8Array(1)),
    nested(MAX_WIRE_DEPTH + 1, 0),
  ),
  fc.anything({
    withBigInt: true,
    withBoxedValues: true,
    withDate: true,
    withMap: true,
    withSet: true,
    withTypedArray: true,
    withSparseArray: true,
    withNullPrototype: true,
    withObjectString: true,
  }),
);
const payloads = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    hostile,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('encodeMessage', () => {
  it('refuses exactly the payloads isWireValue refuses, with INVALID_ARGUMENT (one walk, by the encoder)', () => {
    fc.assert(
      fc.property(payloads, (payload) => {
        expect(outcome(payload)).toBe(isWireValue(payload) ? 'ok' : 'INVALID_ARGUMENT');
      }),
      { numRuns: 2000 },
    );
  });

  it("words a refused payload as checkEnvelope does, naming the message's type", () => {
    expect(() => encodeMessage(env, FrameKind.Request, 1, { type: 'kv.put', payload: { at: new Date(0) } })).toThrow(
      /payload of 'kv\.put' is not plain data/,
    );
  });

  it('refuses a malformed envelope or type before encoding anything', () => {
    const bad: unknown[] = [
      null,
      7,
      {},
      { type: '', payload: 1 },
      { type: 3, payload: 1 },
      { type: 't'.repeat(MAX_MESSAGE_TYPE_LENGTH + 1), payload: 1 },
    ];
    for (const msg of bad) {
      expect(() => encodeMessage(env, FrameKind.Request, 1, msg as Envelope)).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
      );
    }
    expect(outcome({ fine: [1, 'two', new Uint8Array(3)] })).toBe('ok');
    expect(() => encodeMessage(env, FrameKind.Request, 1, { type: 't'.repeat(MAX_MESSAGE_TYPE_LENGTH), payload: 1 })).not.toThrow();
  });

  it('refuses a frame over maxPayloadBytes', () => {
    const small = { codec: new FrameCodec(), maxPayloadBytes: 64 };
    expect(() => encodeMessage(small, FrameKind.Request, 1, { type: 't', payload: new Uint8Array(100) })).toThrow(/over maxPayloadBytes/);
  });
});
