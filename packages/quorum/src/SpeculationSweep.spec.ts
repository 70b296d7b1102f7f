import { describe, expect, it } from '@jest/globals';
import type { Clock } from '@dynamis/core';
import { Scheduler, VirtualClock } from '@dynamis/testkit';
import { SpeculationSweep, type Speculative } from './SpeculationSweep';

function setup(delayMs = 10) {
  const scheduler = new Scheduler();
  const clock = new VirtualClock(scheduler);
  let timers = 0;
  const counting: Clock = {
    now: () => clock.now(),
    monotonic: () => clock.monotonic(),
    sleep: (ms) => clock.sleep(ms),
    setTimer: (ms, fn) => {
      timers++;
      return clock.setTimer(ms, fn);
    },
  };
  const sweep = new SpeculationSweep(counting, delayMs);
  const fired: { name: string; at: number }[] = [];
  const read = (name: string, again = false): Speculative => {
    const r: Speculative = {
      deadline: 0,
      speculate: () => {
        fired.push({ name, at: scheduler.now() });
        if (again) {
          again = false;
          sweep.watch(r);
        }
      },
    };
    return r;
  };
  return { scheduler, sweep, fired, read, timers: () => timers };
}

describe('SpeculationSweep', () => {
  it('speculates each read once its own delay passed, with one timer at a time for all of them', async () => {
    const t = setup();
    const a = t.read('a');
    const b = t.read('b');
    const c = t.read('c');
    t.sweep.watch(a);
    await t.scheduler.runFor(3);
    t.sweep.watch(b);
    t.sweep.watch(c);
    await t.scheduler.runFor(20);
    expect(t.fired).toEqual([
      { name: 'a', at: 10 },
      { name: 'b', at: 13 },
      { name: 'c', at: 13 },
    ]);
    expect(t.timers()).toBe(2); // one for a's deadline, re-armed once for b and c
    expect(t.sweep.size).toBe(0);
  });

  it('never speculates a read unwatched before its deadline, and re-watching restarts its delay', async () => {
    const t = setup();
    const a = t.read('a');
    const b = t.read('b', true);
    t.sweep.watch(a);
    t.sweep.watch(b);
    t.sweep.unwatch(a);
    await t.scheduler.runFor(15);
    expect(t.fired).toEqual([{ name: 'b', at: 10 }]); // b re-watched itself from speculate()
    await t.scheduler.runFor(15);
    expect(t.fired).toEqual([
      { name: 'b', at: 10 },
      { name: 'b', at: 20 },
    ]);
    expect(t.scheduler.pending()).toBe(0); // nothing left armed
  });

  it('stop() cancels the timer: nothing fires after it', async () => {
    const t = setup();
    t.sweep.watch(t.read('a'));
    t.sweep.stop();
    await t.scheduler.runFor(50);
    expect(t.fired).toEqual([]);
    expect(t.scheduler.pending()).toBe(0);
  });
});
