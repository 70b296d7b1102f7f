import { describe, expect, it } from '@jest/globals';
import { routeFor } from './routeFor';

describe('routeFor', () => {
  it('is the placement route when no holder is known', () => {
    expect(routeFor(['a', 'b', 'c'], new Set(), 3)).toEqual({ read: ['a', 'b', 'c'], write: ['a', 'b', 'c'], extraAcks: 0 });
  });

  it('is the placement route once every replica holds the partition and no old one is left', () => {
    expect(routeFor(['a', 'b', 'd'], new Set(['a', 'b', 'd']), 3)).toEqual({ read: ['a', 'b', 'd'], write: ['a', 'b', 'd'], extraAcks: 0 });
  });

  it('reads from the old replica instead of a gaining one that is not ready, and writes to both with one more ack', () => {
    const route = routeFor(['a', 'b', 'd'], new Set(['a', 'b', 'c']), 3);
    expect(route).toEqual({ read: ['a', 'b', 'c'], write: ['a', 'b', 'd', 'c'], extraAcks: 1 });
  });

  it('reads from the new replicas once ready but keeps writing to the old holder until it drops', () => {
    const route = routeFor(['a', 'b', 'd'], new Set(['a', 'b', 'c', 'd']), 3);
    expect(route).toEqual({ read: ['a', 'b', 'd'], write: ['a', 'b', 'd', 'c'], extraAcks: 1 });
  });

  it('reads from fewer than n nodes when fewer hold the data', () => {
    expect(routeFor(['a', 'b', 'd'], new Set(['a']), 3)).toEqual({ read: ['a'], write: ['a', 'b', 'd'], extraAcks: 0 });
  });

  it('any W + extra acks of the write set include W of the old set and W of the new one', () => {
    const oldSet = ['a', 'b', 'c'];
    const route = routeFor(['a', 'b', 'd'], new Set(oldSet), 3);
    const w = 2;
    const need = w + route.extraAcks;
    const subsets = (xs: readonly string[], k: number): string[][] =>
      k === 0 ? [[]] : xs.flatMap((x, i) => subsets(xs.slice(i + 1), k - 1).map((s) => [x, ...s]));
    for (const acked of subsets(route.write, need)) {
      expect(acked.filter((x) => oldSet.includes(x)).length).toBeGreaterThanOrEqual(w);
      expect(acked.filter((x) => ['a', 'b', 'd'].includes(x)).length).toBeGreaterThanOrEqual(w);
    }
  });
});
