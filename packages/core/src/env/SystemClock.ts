import { injectable } from 'inversify';
import { performance } from 'node:perf_hooks';
import type { Clock, Timer } from '../ports/Clock';

/** The real clock: Date.now, performance.now, unref'd timers. The default Clock. */
@injectable()
export class SystemClock implements Clock {
  now(): number {
    return Date.now();
  }

  monotonic(): number {
    return performance.now();
  }

  setTimer(ms: number, fn: () => void): Timer {
    const handle = setTimeout(fn, Math.max(0, ms));
    handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.setTimer(ms, resolve));
  }
}
