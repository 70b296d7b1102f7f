import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('doubles from initialMs, caps at maxMs, and jitters to 50–100%', () => {
    fc.assert(
      fc.property(
        fc.nat(80),
        fc.integer({ min: 1, max: 1000 }),
        fc.integer({ min: 1, max: 60_000 }),
        fc.double({ min: 0, max: 0.9999999, noNaN: true }),
        (attempt, initial, max, r) => {
          const nominal = Math.min(max, initial * 2 ** Math.min(attempt, 30));
          const d = backoffDelay(attempt, initial, max, { next: () => r, int: () => 0 });
          expect(d).toBeGreaterThanOrEqual(Math.floor(nominal / 2));
          expect(d).toBeLessThanOrEqual(nominal);
        },
      ),
    );
  });
});
