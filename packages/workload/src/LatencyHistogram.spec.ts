import { describe, expect, it } from '@jest/globals';
import { LatencyHistogram } from './LatencyHistogram';

describe('LatencyHistogram', () => {
  it('summarises recorded microseconds as p50/p95/p99/p99.9/max/mean in ms, within 0.1%', () => {
    const h = new LatencyHistogram();
    for (let us = 1; us <= 10_000; us++) h.record(us); // 1 µs … 10 ms, uniform
    const s = h.summary();
    expect(s.count).toBe(10_000);
    expect(s.p50).toBeCloseTo(5, 2);
    expect(Math.abs(s.p95 - 9.5) / 9.5).toBeLessThan(0.001);
    expect(Math.abs(s.mean - 5.0005) / 5.0005).toBeLessThan(0.001);
    expect(s.p99).toBeCloseTo(9.9, 1);
    expect(s.p999).toBeCloseTo(9.99, 1);
    expect(s.max).toBeCloseTo(10, 1);
    expect(Math.abs(s.p50 - 5) / 5).toBeLessThan(0.001);
    h.destroy();
  });

  it('keeps the tail apart from the bulk, rounds fractions and clamps to [1 µs, 1 h]', () => {
    const h = new LatencyHistogram();
    for (let i = 0; i < 990; i++) h.record(100.6);
    for (let i = 0; i < 10; i++) h.record(50_000);
    h.record(0);
    h.record(1e12);
    const s = h.summary();
    expect(s.count).toBe(1002);
    expect(s.p50).toBe(0.101);
    expect(s.p95).toBe(0.101);
    expect(s.p99).toBeCloseTo(50, 0);
    expect(s.max).toBeCloseTo(3_600_000, -4);
  });

  it('never reports a percentile above the exact max (the bucket top of a lone value is higher)', () => {
    const h = new LatencyHistogram();
    h.record(100_001); // its bucket spans 100 000 … 100 031 µs
    const s = h.summary();
    expect(s.max).toBe(100.001);
    expect(s.p50).toBe(100.001);
    expect(s.p999).toBe(100.001);
  });

  it('reports NaN percentiles when nothing was recorded', () => {
    const s = new LatencyHistogram().summary();
    expect(s.count).toBe(0);
    expect(s.p50).toBeNaN();
    expect(s.p95).toBeNaN();
    expect(s.p999).toBeNaN();
    expect(s.mean).toBeNaN();
  });
});
