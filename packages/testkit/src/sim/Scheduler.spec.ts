import { describe, expect, it } from '@jest/globals';
import { isDynamisError } from '@dynamis/core';
import { Scheduler } from './Scheduler';

describe('Scheduler', () => {
  it('runs events by time, and events due at the same time in scheduling order', async () => {
    const s = new Scheduler();
    const log: string[] = [];
    s.schedule(20, () => log.push('c@20'));
    s.schedule(10, () => log.push('a@10'));
    s.schedule(10, () => log.push('b@10'));
    s.scheduleAt(5, () => log.push('first@5'));
    s.schedule(10, () => log.push('d@10'));
    await s.runUntilIdle();
    expect(log).toEqual(['first@5', 'a@10', 'b@10', 'd@10', 'c@20']);
    expect(s.now()).toBe(20);
  });

  it('runs an event scheduled for "now" from inside an event after the events already due then', async () => {
    const s = new Scheduler();
    const log: string[] = [];
    s.schedule(1, () => {
      log.push('x');
      s.schedule(0, () => log.push('z'));
    });
    s.schedule(1, () => log.push('y'));
    await s.runUntilIdle();
    expect(log).toEqual(['x', 'y', 'z']);
  });

  it('keeps insertion order among many ties (heap stability)', async () => {
    const s = new Scheduler();
    const log: number[] = [];
    for (let i = 0; i < 200; i++) s.schedule(i % 3, () => log.push(i));
    await s.runUntilIdle();
    const expected = [0, 1, 2].flatMap((m) => Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 3 === m));
    expect(log).toEqual(expected);
  });

  it('does not run cancelled events; cancel is idempotent', async () => {
    const s = new Scheduler();
    const log: string[] = [];
    const t = s.schedule(5, () => log.push('cancelled'));
    s.schedule(6, () => log.push('kept'));
    expect(s.pending()).toBe(2);
    t.cancel();
    t.cancel();
    expect(s.pending()).toBe(1);
    expect(await s.runUntilIdle()).toBe(1);
    expect(log).toEqual(['kept']);
    expect(s.pending()).toBe(0);
  });

  it('runUntil runs what is due, moves time to the target, leaves later events', async () => {
    const s = new Scheduler({ startMs: 100 });
    const log: number[] = [];
    s.schedule(10, () => log.push(s.now()));
    s.schedule(50, () => log.push(s.now()));
    await s.runUntil(130);
    expect(log).toEqual([110]);
    expect(s.now()).toBe(130);
    await s.runFor(20);
    expect(log).toEqual([110, 150]);
    expect(s.now()).toBe(150);
    expect(s.nextAt()).toBeUndefined();
  });

  it('drains promise chains between events so async code finishes before the next event', async () => {
    const s = new Scheduler();
    const log: string[] = [];
    const sleep = (ms: number) => new Promise<void>((r) => s.schedule(ms, r));
    const worker = async (name: string) => {
      for (let i = 0; i < 3; i++) {
        await sleep(10);
        await Promise.resolve();
        await Promise.resolve();
        log.push(`${name}${i}@${s.now()}`);
      }
    };
    void worker('a');
    void worker('b');
    s.schedule(15, () => log.push('tick@15'));
    await s.runFor(100);
    expect(log).toEqual(['a0@10', 'b0@10', 'tick@15', 'a1@20', 'b1@20', 'a2@30', 'b2@30']);
  });

  it('runNext runs exactly one event synchronously', () => {
    const s = new Scheduler();
    let n = 0;
    s.schedule(3, () => n++);
    s.schedule(4, () => n++);
    expect(s.runNext()).toBe(true);
    expect(n).toBe(1);
    expect(s.now()).toBe(3);
    expect(s.runNext()).toBe(true);
    expect(s.runNext()).toBe(false);
  });

  it('throws a clear error on a runaway loop', async () => {
    const s = new Scheduler({ maxEvents: 1000 });
    const loop = () => void s.schedule(0, loop);
    loop();
    await expect(s.runUntilIdle()).rejects.toThrow(/more than 1000 events in one run/);
    await expect(s.runFor(10, 50)).rejects.toThrow(/more than 50 events/);
  });

  it('is not reentrant', async () => {
    const s = new Scheduler();
    let caught: unknown;
    s.schedule(1, () => {
      try {
        s.runNext();
      } catch (err) {
        caught = err;
      }
    });
    await s.runUntilIdle();
    expect(String(caught)).toMatch(/already in progress/);
  });

  it('treats negative delays as now and rejects non-finite ones', () => {
    const s = new Scheduler({ startMs: 50 });
    expect(s.schedule(-10, () => undefined).at).toBe(50);
    expect(s.scheduleAt(10, () => undefined).at).toBe(50);
    expect(() => s.schedule(Number.NaN, () => undefined)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    let caught: unknown;
    try {
      s.schedule(Infinity, () => undefined);
    } catch (err) {
      caught = err;
    }
    expect(isDynamisError(caught, 'INVALID_ARGUMENT')).toBe(true);
  });

  it('runWhileNot stops as soon as the condition holds', async () => {
    const s = new Scheduler();
    let n = 0;
    for (let i = 1; i <= 10; i++) s.schedule(i * 10, () => n++);
    expect(await s.runWhileNot(() => n === 3, 1000)).toBe(true);
    expect(s.now()).toBe(30);
    expect(await s.runWhileNot(() => n === 99, 500)).toBe(false);
    expect(s.now()).toBe(500);
  });
});
