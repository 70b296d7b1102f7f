import { describe, expect, it } from '@jest/globals';
import { DynamisError } from '../errors/DynamisError';
import { checkEnvelope, copyEnvelope, MAX_MESSAGE_TYPE_LENGTH, requireReply } from './envelope';
import { wireCopy } from './wireCopy';
import { isWireValue } from './wireValue';

describe('wireCopy', () => {
  it('copies plain data, sharing nothing, bytes as plain Uint8Array', () => {
    const src = { a: [1, 'x', null, { b: Buffer.from([1, 2]) }], u: undefined };
    const out = wireCopy(src) as typeof src;
    expect(out).toEqual({ a: [1, 'x', null, { b: new Uint8Array([1, 2]) }], u: undefined });
    expect(out.a).not.toBe(src.a);
    const bytes = (out.a[3] as { b: Uint8Array }).b;
    expect(bytes.constructor).toBe(Uint8Array);
    expect(bytes.buffer).not.toBe((src.a[3] as { b: Buffer }).b.buffer);
  });

  it('copies byte arrays of every size exactly, each with bytes of its own (small ones in a shared slab)', () => {
    const sizes = [0, 1, 7, 100, 4096, 4097, 70_000];
    const src = sizes.map((n) => Buffer.alloc(n, n % 251));
    const out = [...(wireCopy(src) as Uint8Array[]), ...(wireCopy(src) as Uint8Array[])];
    out.forEach((b, i) => {
      const n = sizes[i % sizes.length]!;
      expect(b.constructor).toBe(Uint8Array);
      expect(Buffer.from(b.buffer, b.byteOffset, b.byteLength).equals(Buffer.alloc(n, n % 251))).toBe(true);
    });
    for (const b of out) b.fill(0xee); // writing one copy changes no other copy and not the source
    expect(src.every((b, i) => b.equals(Buffer.alloc(sizes[i]!, sizes[i]! % 251)))).toBe(true);
    for (const b of out) expect(b.every((x) => x === 0xee)).toBe(true);
  });

  it('refuses what isWireValue refuses, naming the path', () => {
    for (const bad of [{ m: new Map() }, { d: [new Date()] }, { n: 1n }, { f: () => 1 }]) {
      expect(isWireValue(bad)).toBe(false);
      expect(() => wireCopy(bad)).toThrow(DynamisError);
    }
    expect(() => wireCopy({ list: [0, new Set()] })).toThrow(/payload\.list\[1\] is a Set/);
    expect(() => wireCopy({ a: { b: [1, [2, () => 3]] } }, 'reply')).toThrow(/^reply\.a\.b\[1\]\[1\] is a function/);
  });

  it('stops at the node budget on a shared structure (a DAG) instead of copying 2^depth values', () => {
    let dag: unknown = ['leaf'];
    for (let i = 0; i < 40; i++) dag = [dag, dag];
    expect(() => wireCopy(dag)).toThrow(/more than \d+ values/);
  });
});

describe('envelopes', () => {
  it('need a type of 1–128 characters and a plain-data payload', () => {
    expect(() => checkEnvelope({ type: 't'.repeat(MAX_MESSAGE_TYPE_LENGTH), payload: { a: 1 } })).not.toThrow();
    for (const bad of [
      { type: '', payload: null },
      { type: 't'.repeat(MAX_MESSAGE_TYPE_LENGTH + 1), payload: null },
      { type: 't', payload: new Date() },
    ]) {
      expect(() => checkEnvelope(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(() => copyEnvelope(bad)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(copyEnvelope({ type: 't', payload: [1] })).toEqual({ type: 't', payload: [1] });
  });

  it('a request handler that returns no reply is a PROTOCOL_ERROR', () => {
    expect(() => requireReply(undefined, 'get', 'n1')).toThrow(expect.objectContaining({ code: 'PROTOCOL_ERROR' }));
    expect(() => requireReply(null, 'get', 'n1')).toThrow(/handler for 'get' on n1 returned no reply/);
    expect(requireReply({ type: 'ok', payload: null }, 'get', 'n1')).toEqual({ type: 'ok', payload: null });
  });
});
