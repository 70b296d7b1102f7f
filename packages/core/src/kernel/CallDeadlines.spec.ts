import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ManualClock } from '../env/ManualClock';
import { CallDeadline, CallDeadlines } from './CallDeadlines';

describe('CallDeadlines', () => {
  it('expires each deadline once, at its time, never a removed one, on at most one timer (model check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 100 }),
            ms: fc.constantFrom(1, 5, 10, 50, 200),
            removeAfter: fc.option(fc.integer({ min: 0, max: 300 })),
          }),
          { maxLength: 40 },
        ),
        async (plan) => {
          const clock = new ManualClock();
          const d = new CallDeadlines(clock);
          const fired = new Map<number, number>();
          const removedAt = new Map<number, number>();
          const entries = plan.map((_, i) => new CallDeadline(() => fired.set(i, (fired.get(i) ?? 0) * 10 + clock.monotonic())));
          const events: Array<[number, () => void]> = [];
          plan.forEach((p, i) => {
            events.push([p.at, () => d.add(entries[i]!, p.ms)]);
            if (p.removeAfter !== null) {
              const when = p.at + p.removeAfter;
              events.push([when, () => (d.remove(entries[i]!) ? removedAt.set(i, when) : undefined)]);
            }
          });
          events.sort((x, y) => x[0] - y[0]);
          let now = 0;
          for (const [at, run] of events) {
            await clock.advance(at - now);
            now = at;
            run();
            expect(clock.pendingTimers()).toBeLessThanOrEqual(1);
          }
          await clock.advance(1000);
          expect(clock.pendingTimers()).toBe(0);
          plan.forEach((p, i) => {
            const due = p.at + p.ms;
            if (removedAt.has(i)) expect(fired.has(i)).toBe(false);
            else expect(fired.get(i)).toBe(due); // once (a second firing would multiply by 10), exactly at its deadline
            if (removedAt.has(i)) expect(removedAt.get(i)).toBeLessThan(due); // removal at the deadline itself comes too late: it expired first
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('keeps no timer while nothing is scheduled, and a removed deadline reports false', async () => {
    const clock = new ManualClock();
    const d = new CallDeadlines(clock);
    const a = new CallDeadline(() => undefined);
    const b = new CallDeadline(() => undefined);
    d.add(a, 100);
    d.add(b, 100);
    expect(clock.pendingTimers()).toBe(1);
    expect(d.remove(a)).toBe(true);
    expect(d.remove(a)).toBe(false);
    expect(clock.pendingTimers()).toBe(1);
    expect(d.remove(b)).toBe(true);
    expect(clock.pendingTimers()).toBe(0);
  });
});
