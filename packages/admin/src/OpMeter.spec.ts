import { describe, expect, it } from '@jest/globals';
import { OpMeter } from './OpMeter';

describe('OpMeter', () => {
  it('gives ops/s per kind and in total over the window, then starts a new one', () => {
    const m = new OpMeter();
    for (let i = 0; i < 30; i++) m.record('put', 2, true);
    for (let i = 0; i < 10; i++) m.record('get', 2, i > 0);
    m.record('batch', 2, true);
    const w = m.take(2000);
    expect(w.opsPerSec).toEqual({ put: 15, get: 5, delete: 0, batch: 0.5 });
    expect(w.totalPerSec).toBe(20.5);
    expect(w.errors).toBe(1);
    expect(m.recorded).toBe(41);
    expect(m.take(1000)).toMatchObject({ totalPerSec: 0, errors: 0, p50Ms: 0, p99Ms: 0 });
    expect(m.recorded).toBe(41);
  });

  it('reports p50 and p99 within one bucket (≤ 19 %) above the true value', () => {
    const m = new OpMeter();
    // 98 fast operations, two slow ones: p50 is a fast one, p99 a slow one.
    for (let i = 0; i < 98; i++) m.record('get', 1 + i / 98, true);
    m.record('put', 250, true);
    m.record('put', 300, true);
    const w = m.take(1000);
    expect(w.p50Ms).toBeGreaterThanOrEqual(1.49);
    expect(w.p50Ms).toBeLessThanOrEqual(1.5 * 1.19);
    expect(w.p99Ms).toBeGreaterThanOrEqual(250);
    expect(w.p99Ms).toBeLessThanOrEqual(250 * 1.19);
  });

  it('keeps latencies out of range in the first and last bucket', () => {
    const m = new OpMeter();
    m.record('delete', -5, true);
    m.record('delete', Number.NaN, true);
    expect(m.take(1000).p99Ms).toBeLessThanOrEqual(0.001);
    m.record('delete', 1e12, true);
    const w = m.take(1000);
    expect(w.p99Ms).toBeGreaterThan(1e6);
    expect(Number.isFinite(w.p99Ms)).toBe(true);
  });
});
