import { describe, expect, it } from '@jest/globals';
import { ManualClock } from './ManualClock';

describe('ManualClock', () => {
  it('moves only in advance: now() is epoch + monotonic()', async () => {
    const clock = new ManualClock({ epochMs: 1_000_000 });
    expect(clock.monotonic()).toBe(0);
    expect(clock.now()).toBe(1_000_000);
    await clock.advance(250);
    expect(clock.monotonic()).toBe(250);
    expect(clock.now()).toBe(1_000_250);
  });

  it('runs timers at their due time, in due order, same-time timers in the order they were set', async () => {
    const clock = new ManualClock();
    const fired: string[] = [];
    clock.setTimer(30, () => fired.push(`c@${clock.monotonic()}`));
    clock.setTimer(10, () => fired.push(`a@${clock.monotonic()}`));
    clock.setTimer(10, () => fired.push(`b@${clock.monotonic()}`));
    clock.setTimer(-5, () => fired.push(`now@${clock.monotonic()}`));
    expect(clock.pendingTimers()).toBe(4);
    expect(clock.nextTimerAt()).toBe(0);
    await clock.advance(9);
    expect(fired).toEqual(['now@0']);
    await clock.advance(1);
    expect(fired).toEqual(['now@0', 'a@10', 'b@10']);
    await clock.advance(100);
    expect(fired).toEqual(['now@0', 'a@10', 'b@10', 'c@30']);
    expect(clock.monotonic()).toBe(110);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('never runs a cancelled timer; cancel is idempotent', async () => {
    const clock = new ManualClock();
    let ran = 0;
    const t = clock.setTimer(5, () => ran++);
    clock.setTimer(5, () => ran++);
    t.cancel();
    t.cancel();
    expect(clock.pendingTimers()).toBe(1);
    await clock.advance(5);
    expect(ran).toBe(1);
  });

  it('lets async code woken by a timer reach its next wait before the next timer (sleep chains)', async () => {
    const clock = new ManualClock();
    const seen: number[] = [];
    const loop = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10);
        seen.push(clock.monotonic());
      }
    })();
    await clock.advance(25);
    expect(seen).toEqual([10, 20]);
    await clock.advance(5);
    await loop;
    expect(seen).toEqual([10, 20, 30]);
  });

  it('refuses bad arguments, reentrant advance, and a timer that reschedules itself forever', async () => {
    expect(() => new ManualClock({ maxTimers: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new ManualClock({ epochMs: Infinity })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    const clock = new ManualClock({ maxTimers: 50 });
    expect(() => clock.setTimer(Number.NaN, () => undefined)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    await expect(clock.advance(-1)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    const first = clock.advance(1);
    await expect(clock.advance(1)).rejects.toThrow('not reentrant');
    await first;
    const again = (): void => void clock.setTimer(0, again);
    again();
    await expect(clock.advance(1)).rejects.toThrow('more than 50 timers');
  });
});
