import { describe, expect, it } from '@jest/globals';
import { Scheduler, VirtualClock } from '@dynamis/testkit';
import fc from 'fast-check';
import type { Clock, Timer } from '@dynamis/core';
import { Deadlines, LATE_MS, type DeadlineEntry } from './Deadlines';

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

  describe('after a stalled event loop (a timer that fires late)', () => {
    /** A clock whose timers fire only when the test says, at the monotonic time it sets: a stalled loop, by hand. */
    class StalledClock implements Clock {
      t = 0;
      timers: { at: number; fn: () => void; cancelled: boolean }[] = [];
      now(): number {
        return this.t;
      }
      monotonic(): number {
        return this.t;
      }
      setTimer(ms: number, fn: () => void): Timer {
        const timer = { at: this.t + ms, fn, cancelled: false };
        this.timers.push(timer);
        return { cancel: () => void (timer.cancelled = true) };
      }
      sleep(): Promise<void> {
        return Promise.resolve();
      }
      /** Fires the next live timer (whose time has come) at the current time. */
      fireNext(): void {
        const timer = this.timers.find((x) => !x.cancelled && x.at <= this.t);
        if (timer === undefined) throw new Error('no timer due');
        timer.cancelled = true;
        timer.fn();
      }
    }

    function setup(): { clock: StalledClock; d: Deadlines<Entry>; fired: number[] } {
      const clock = new StalledClock();
      const fired: number[] = [];
      return { clock, d: new Deadlines<Entry>(clock, (e) => fired.push(e.name)), fired };
    }

    it('a timer on time expires what is due at once', () => {
      const { clock, d, fired } = setup();
      d.add(entry(1), 100);
      clock.t = 100 + LATE_MS;
      clock.fireNext();
      expect(fired).toEqual([1]);
    });

    it('a late timer expires nothing yet: a reply read in the same iteration (remove) wins over its deadline', () => {
      const { clock, d, fired } = setup();
      const e = entry(1);
      d.add(e, 100);
      clock.t = 300; // the loop was busy for 200 ms past the deadline
      clock.fireNext();
      expect(fired).toEqual([]);
      d.remove(e); // the poll phase reads the reply that arrived during the stall
      clock.fireNext(); // the 0 ms re-arm
      expect(fired).toEqual([]);
    });

    it('without a reply the entry expires at the next firing, and later deadlines keep their own time', () => {
      const { clock, d, fired } = setup();
      d.add(entry(1), 100);
      d.add(entry(2), 1000);
      clock.t = 300;
      clock.fireNext();
      expect(fired).toEqual([]);
      clock.fireNext();
      expect(fired).toEqual([1]);
      clock.t = 1000;
      clock.fireNext();
      expect(fired).toEqual([1, 2]);
    });
  });
});
