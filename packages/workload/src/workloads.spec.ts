import { describe, expect, it } from '@jest/globals';
import { MAX_SCAN_LENGTH, recordKey, WORKLOADS } from './workloads';

describe('WORKLOADS', () => {
  it("are YCSB's core workloads (workloads/workloada … workloadf)", () => {
    const nonZero = Object.fromEntries(
      Object.entries(WORKLOADS).map(([name, w]) => [
        name,
        { ...Object.fromEntries(Object.entries(w.proportions).filter(([, p]) => p > 0)), distribution: w.distribution },
      ]),
    );
    expect(nonZero).toEqual({
      A: { read: 0.5, update: 0.5, distribution: 'zipfian' },
      B: { read: 0.95, update: 0.05, distribution: 'zipfian' },
      C: { read: 1, distribution: 'zipfian' },
      D: { read: 0.95, insert: 0.05, distribution: 'latest' },
      E: { scan: 0.95, insert: 0.05, distribution: 'zipfian' },
      F: { read: 0.5, rmw: 0.5, distribution: 'zipfian' },
    });
    expect(MAX_SCAN_LENGTH).toBe(100);
    expect(recordKey(42)).toBe('user42');
  });
});
