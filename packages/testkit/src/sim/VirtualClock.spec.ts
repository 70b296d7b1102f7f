import { describe, expect, it } from '@jest/globals';
import { Scheduler } from './Scheduler';
import { DEFAULT_EPOCH_MS, VirtualClock } from './VirtualClock';

describe('VirtualClock', () => {
  it('derives wall time from scheduler time, epoch and skew', async () => {
    const s = new Scheduler();
    const a = new VirtualClock(s);
    const b = new VirtualClock(s, { skewMs: -250, epochMs: 1_000_000 });
    expect(a.now()).toBe(DEFAULT_EPOCH_MS);
    expect(b.now()).toBe(999_750);
    await s.runFor(1000);
    expect(a.now()).toBe(DEFAULT_EPOCH_MS + 1000);
    expect(b.now()).toBe(1_000_750);
    expect(a.monotonic()).toBe(1000);
    expect(b.monotonic()).toBe(1000);
  });

  it('jumps the wall clock (even backwards) without touching monotonic time or timers', async () => {
    const s = new Scheduler();
    const c = new VirtualClock(s);
    let firedAt: number | undefined;
    c.setTimer(100, () => (firedAt = c.monotonic()));
    await s.runFor(10);
    const before = c.now();
    c.jump(-5000);
    expect(c.now()).toBe(before - 5000);
    expect(c.skew()).toBe(-5000);
    expect(c.monotonic()).toBe(10);
    c.jump(60_000);
    expect(c.skew()).toBe(55_000);
    await s.runFor(100);
    expect(firedAt).toBe(100);
    c.setSkew(3);
    expect(c.now()).toBe(DEFAULT_EPOCH_MS + 110 + 3);
  });

  it('monotonic() never goes backwards', async () => {
    const s = new Scheduler();
    const c = new VirtualClock(s);
    let last = c.monotonic();
    for (let i = 0; i < 20; i++) {
      c.jump(i % 2 === 0 ? -1000 : 10);
      await s.runFor(i);
      expect(c.monotonic()).toBeGreaterThanOrEqual(last);
      last = c.monotonic();
    }
  });

  it('sleeps and timers run on virtual time; cancelled timers do not fire', async () => {
    const s = new Scheduler();
    const c = new VirtualClock(s, { skewMs: 99 });
    const log: string[] = [];
    void c.sleep(50).then(() => log.push(`slept@${c.monotonic()}`));
    const t = c.setTimer(30, () => log.push('cancelled'));
    c.setTimer(20, () => log.push(`timer@${c.monotonic()}`));
    t.cancel();
    await s.runFor(49);
    expect(log).toEqual(['timer@20']);
    await s.runFor(1);
    expect(log).toEqual(['timer@20', 'slept@50']);
  });
});
