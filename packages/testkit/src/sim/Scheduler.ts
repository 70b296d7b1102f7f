import { DynamisError, type Timer } from '@dynamis/core';

/** A scheduled event; `cancel()` is idempotent and a no-op once the event ran. */
export interface ScheduledEvent extends Timer {
  /** Virtual time (ms) at which the event runs. */
  readonly at: number;
}

export interface SchedulerOptions {
  /** Virtual time at creation, ms (default 0). */
  readonly startMs?: number;
  /**
   * Default upper bound on the events one `run*` call may execute before it
   * throws (default 1,000,000). Guards against timers that reschedule
   * themselves forever.
   */
  readonly maxEvents?: number;
}

interface Entry {
  readonly at: number;
  readonly seq: number;
  fn: (() => void) | undefined;
}

const DEFAULT_MAX_EVENTS = 1_000_000;

/** Lets every queued microtask (promise continuation) run. See `Scheduler`. */
function drainMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A virtual-time event queue, the single source of time in a simulation.
 *
 * Events run in order of (time, insertion sequence): two events due at the
 * same virtual time run in the order they were scheduled, so a run is fully
 * determined by the code and its seed. Time only moves when an event runs or a
 * `run*` call reaches its end time; nothing here reads the real clock.
 *
 * Microtasks: node code is async, so when an event resolves a promise, the
 * continuation (the rest of an `async` function, a `.then` chain) sits in the
 * microtask queue and must run before the next virtual event, exactly as it
 * would on a real event loop between two timers. The async `run*` methods
 * therefore await one `setImmediate` turn before every event and before they
 * return: a macrotask turn runs only after the microtask queue is empty, so the
 * whole chain completes, however long. `setImmediate` is used for that alone,
 * never for time.
 *
 * Not reentrant: calling a `run*` method from inside an event, or while
 * another run is in progress, throws.
 */
export class Scheduler {
  private readonly heap: Entry[] = [];
  private time: number;
  private seq = 0;
  private live = 0;
  private running = false;
  private readonly maxEvents: number;

  constructor(options: SchedulerOptions = {}) {
    this.time = checkTime(options.startMs ?? 0, 'startMs');
    this.maxEvents = checkCount(options.maxEvents ?? DEFAULT_MAX_EVENTS, 'maxEvents');
  }

  /** Current virtual time, ms. Never decreases. */
  now(): number {
    return this.time;
  }

  /** Number of scheduled events that are not cancelled and have not run. */
  pending(): number {
    return this.live;
  }

  /** Time of the next live event, or undefined when the queue is empty. */
  nextAt(): number | undefined {
    this.dropCancelledHead();
    return this.heap[0]?.at;
  }

  /**
   * Runs `fn` after `delayMs` of virtual time (negative delays count as 0).
   * Events due at the same time run in scheduling order.
   * Throws INVALID_ARGUMENT for a non-finite delay.
   */
  schedule(delayMs: number, fn: () => void): ScheduledEvent {
    if (!Number.isFinite(delayMs)) {
      throw new DynamisError('INVALID_ARGUMENT', `delay must be a finite number, got ${delayMs}`);
    }
    return this.scheduleAt(this.time + Math.max(0, delayMs), fn);
  }

  /** Runs `fn` at virtual time `timeMs` (a past time counts as now). */
  scheduleAt(timeMs: number, fn: () => void): ScheduledEvent {
    const entry: Entry = { at: Math.max(this.time, checkTime(timeMs, 'timeMs')), seq: this.seq++, fn };
    this.push(entry);
    this.live++;
    return {
      at: entry.at,
      cancel: () => {
        if (entry.fn !== undefined) {
          entry.fn = undefined;
          this.live--;
        }
      },
    };
  }

  /**
   * Runs the next live event synchronously, advancing time to it, without
   * draining microtasks. Returns false when the queue is empty. An exception
   * thrown by the event propagates (the event is consumed).
   */
  runNext(): boolean {
    this.enter();
    try {
      return this.step(Infinity);
    } finally {
      this.running = false;
    }
  }

  /**
   * Runs every event due at or before `timeMs`, draining microtasks before
   * each, then sets the time to `timeMs` (if later) and drains once more.
   * Throws if more than `maxEvents` events run.
   */
  async runUntil(timeMs: number, maxEvents = this.maxEvents): Promise<void> {
    checkTime(timeMs, 'timeMs');
    await this.loop(timeMs, undefined, maxEvents);
    if (timeMs > this.time) this.time = timeMs;
    await drainMicrotasks();
  }

  /** `runUntil(now() + ms)`. */
  runFor(ms: number, maxEvents = this.maxEvents): Promise<void> {
    return this.runUntil(this.time + checkTime(ms, 'ms'), maxEvents);
  }

  /**
   * Runs events until none is left; resolves with how many ran. Time ends at
   * the last event's time. Throws after `maxEvents` events (a periodic timer
   * never lets the queue empty: use runFor for those).
   */
  runUntilIdle(maxEvents = this.maxEvents): Promise<number> {
    return this.loop(Infinity, undefined, maxEvents);
  }

  /**
   * Runs events (draining microtasks before each) until `done()` is true or
   * the next event lies beyond `deadlineMs`. Resolves with `done()`'s final
   * value; when false, time has advanced to `deadlineMs`.
   */
  async runWhileNot(done: () => boolean, deadlineMs: number, maxEvents = this.maxEvents): Promise<boolean> {
    checkTime(deadlineMs, 'deadlineMs');
    await this.loop(deadlineMs, done, maxEvents);
    if (done()) return true;
    if (deadlineMs > this.time) this.time = deadlineMs;
    await drainMicrotasks();
    return done();
  }

  private async loop(limit: number, done: (() => boolean) | undefined, maxEvents: number): Promise<number> {
    this.enter();
    let ran = 0;
    try {
      for (;;) {
        await drainMicrotasks();
        if (done?.()) return ran;
        if (ran >= maxEvents) {
          if (!this.hasEventBy(limit)) return ran;
          throw new Error(
            `Scheduler: more than ${maxEvents} events in one run (virtual time ${this.time} ms); ` +
              'a timer probably reschedules itself with no delay, or the run needs a larger maxEvents',
          );
        }
        if (!this.step(limit)) return ran;
        ran++;
      }
    } finally {
      this.running = false;
    }
  }

  private enter(): void {
    if (this.running) throw new Error('Scheduler: a run is already in progress (run* is not reentrant)');
    this.running = true;
  }

  private hasEventBy(limit: number): boolean {
    const next = this.nextAt();
    return next !== undefined && next <= limit;
  }

  /** Pops and runs the next live event due by `limit`; false if there is none. */
  private step(limit: number): boolean {
    this.dropCancelledHead();
    const head = this.heap[0];
    if (head === undefined || head.at > limit) return false;
    this.pop();
    const fn = head.fn;
    head.fn = undefined;
    this.live--;
    this.time = head.at;
    fn?.();
    return true;
  }

  private dropCancelledHead(): void {
    while (this.heap.length > 0 && this.heap[0]?.fn === undefined) this.pop();
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = heap[parent] as Entry;
      if (!before(entry, p)) break;
      heap[i] = p;
      i = parent;
    }
    heap[i] = entry;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (last === undefined || heap.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const child = r < heap.length && before(heap[r] as Entry, heap[l] as Entry) ? r : l;
      const c = heap[child] as Entry;
      if (!before(c, last)) break;
      heap[i] = c;
      i = child;
    }
    heap[i] = last;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

function checkTime(value: number, name: string): number {
  if (!Number.isFinite(value)) {
    throw new DynamisError('INVALID_ARGUMENT', `${name} must be a finite number, got ${value}`);
  }
  return value;
}

function checkCount(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new DynamisError('INVALID_ARGUMENT', `${name} must be a positive integer, got ${value}`);
  }
  return value;
}
