import { describe, expect, it } from '@jest/globals';
import { phaseFigures } from './workloadDriver';

describe('phaseFigures', () => {
  it('keeps a phase as results.json holds it: kinds never issued as null, keys sorted, the first failure', () => {
    const p = { count: 2, p50: 1, p95: 2, p99: 3, p999: 4, max: 5, mean: 1.5 };
    const figures = phaseFigures({
      operations: 3,
      errors: 1,
      seconds: 0.5,
      opsPerSec: 4,
      latencyMs: { update: p, all: p, scan: undefined },
      errorsByCode: { TIMEOUT: 1, CONFLICT: 0 },
      firstError: 'TIMEOUT: slow',
    });
    expect(figures).toEqual({
      operations: 3,
      errors: 1,
      seconds: 0.5,
      opsPerSec: 4,
      latencyMs: { all: p, scan: null, update: p },
      errorsByCode: { CONFLICT: 0, TIMEOUT: 1 },
      firstError: 'TIMEOUT: slow',
    });
    expect(Object.keys(figures.latencyMs)).toEqual(['all', 'scan', 'update']);
    expect(JSON.stringify(figures)).not.toContain('undefined');
    expect('firstError' in phaseFigures({ ...figures, latencyMs: {}, firstError: undefined })).toBe(false);
  });
});
