import { describe, expect, it } from '@jest/globals';
import type { Clock, Coordinator } from '@dynamis/core';
import { meterCoordinator } from './meterCoordinator';
import { OpMeter } from './OpMeter';

/** A clock whose monotonic time the test moves. */
function manualClock(): Clock & { advance(ms: number): void } {
  let t = 0;
  return {
    now: () => t,
    monotonic: () => t,
    setTimer: () => ({ cancel: () => undefined }),
    sleep: () => Promise.resolve(),
    advance: (ms: number) => void (t += ms),
  };
}

describe('meterCoordinator', () => {
  it('times put/get/delete/batch from call to settling, passing results and errors through', async () => {
    const clock = manualClock();
    let release: (v: unknown) => void = () => undefined;
    const target = {
      calls: 0,
      put(): Promise<unknown> {
        this.calls++;
        return new Promise((resolve) => (release = resolve));
      },
      get: () => Promise.reject(new Error('nope')),
      delete: () => Promise.resolve({ acks: 2 }),
      batch: () => {
        throw new Error('sync throw');
      },
      stats: function (this: { calls: number }) {
        return { calls: this.calls };
      },
    };
    const meter = new OpMeter();
    const c = meterCoordinator(target as unknown as Coordinator & typeof target, meter, clock);
    const put = c.put('k', new Uint8Array(), {});
    clock.advance(40);
    release({ acks: 3 });
    await expect(put).resolves.toEqual({ acks: 3 });
    await expect(c.get('k', {})).rejects.toThrow('nope');
    await expect(c.delete('k', {})).resolves.toEqual({ acks: 2 });
    expect(() => c.batch([], {})).toThrow('sync throw');
    // Other members are the target's own, bound to it.
    expect(c.stats()).toEqual({ calls: 1 });
    expect(c.calls).toBe(1);
    const w = meter.take(1000);
    expect(w.opsPerSec).toEqual({ put: 1, get: 1, delete: 1, batch: 1 });
    expect(w.errors).toBe(2);
    expect(w.p99Ms).toBeGreaterThanOrEqual(40);
    expect(w.p99Ms).toBeLessThan(48);
  });
});
