import { describe, expect, it } from '@jest/globals';
import { isWireValue } from './wireValue';

describe('isWireValue', () => {
  it.each([
    null,
    undefined,
    true,
    0,
    -1.5,
    NaN,
    'x',
    Uint8Array.of(1),
    Buffer.from('b'),
    [],
    [1, ['a', { b: null }]],
    {},
    Object.create(null),
  ])('accepts %p', (v) => {
    expect(isWireValue(v)).toBe(true);
  });

  it.each([
    ['Map', new Map()],
    ['Set', new Set()],
    ['Date', new Date()],
    ['Error', new Error()],
    ['bigint', 1n],
    ['symbol', Symbol('s')],
    ['function', () => 1],
    ['Float32Array', new Float32Array(1)],
    ['ArrayBuffer', new ArrayBuffer(1)],
    ['class instance', new (class X {})()],
    ['nested Map', { a: [{ b: new Map() }] }],
  ])('rejects %s', (_what, v) => {
    expect(isWireValue(v)).toBe(false);
  });

  it('rejects cycles and nesting deeper than 64 levels', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(isWireValue(cyclic)).toBe(false);
    let deep: unknown = 1;
    for (let i = 0; i < 64; i++) deep = [deep];
    expect(isWireValue(deep)).toBe(true);
    expect(isWireValue([deep])).toBe(false);
  });

  it('stops at its node budget, so a shared structure (a DAG) is checked in bounded time', () => {
    expect(isWireValue(new Array(99).fill(0), 100)).toBe(true);
    expect(isWireValue(new Array(100).fill(0), 100)).toBe(false);
    let dag: unknown = ['leaf'];
    for (let i = 0; i < 40; i++) dag = [dag, dag]; // 2^41 paths: an unbounded walk never ends
    expect(isWireValue(dag)).toBe(false);
  });
});
