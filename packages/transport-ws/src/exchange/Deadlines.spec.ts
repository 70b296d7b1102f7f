import { describe, expect, it } from '@jest/globals';
import { Scheduler, VirtualClock } from '@dynamis/testkit';
import fc from 'fast-check';
import { Deadlines, type DeadlineEntry } from './Deadlines';

interface Entry extends DeadlineEntry {
  readonly name: number;
}

function entry(name: number): Entry {
  return { name, deadline: 0, dlPrev: null, dlNext: null, dlGroup: null };
}

describe('Deadlines', () => {
  it('expires each entry once, at its deadline, never a removed one (model check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 100 }),
            timeout: fc.constantFrom(5, 10, 50, 200),
            removeAfter: fc.option(fc.integer({ min: 0, max: 300 })),
          }),
          { maxLength: 40 },
        ),
        async (plan) => {
          const scheduler = new Scheduler();
          const clock = new VirtualClock(scheduler);
          const fired = new Map<number, number>();
          const d = new Deadlines<Entry>(clock, (e) => {
            expect(fired.has(e.name)).toBe(false);
            fired.set(e.name, clock.monotonic());
          });
          const removedAt = new Map<number, number>();
          plan.forEach((p, i) => {
            scheduler.schedule(p.at, () => {
              const e = entry(i);
              d.add(e, p.timeout);
              if (p.removeAfter !== null) {
                scheduler.schedule(p.removeAfter, () => {
                  if (!fired.has(i)) removedAt.set(i, clock.monotonic());
                  d.remove(e);
                });
              }
            });
          });
          await scheduler.runUntilIdle();
          plan.forEach((p, i) => {
            const due = p.at + p.timeout;
            if (removedAt.has(i) && removedAt.get(i)! < due) expect(fired.has(i)).toBe(false);
            else if (!removedAt.has(i)) {
              expect(fired.get(i)).toBeGreaterThanOrEqual(due - 1);
              expect(fired.get(i)).toBeLessThanOrEqual(due + 1);
            }
          });
        },
      ),
    );
  });

  it('clear() forgets everything and cancels the timer', async () => {
    const scheduler = new Scheduler();
    const clock = new VirtualClock(scheduler);
    const fired: number[] = [];
    const d = new Deadlines<Entry>(clock, (e) => fired.push(e.name));
    d.add(entry(1), 10);
    d.add(entry(2), 20);
    d.clear();
    await scheduler.runUntilIdle();
    expect(fired).toEqual([]);
    expect(scheduler.pending()).toBe(0);
  });
});
