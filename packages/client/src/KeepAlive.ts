/**
 * Keeps the Node.js process alive while the client has work in flight.
 *
 * The Clock port's timers never keep a process alive (by contract), and a
 * retry waits on such a timer with no socket open: without a held handle, a
 * script awaiting `client.get()` while its node is down would see the event
 * loop empty during the backoff and exit with code 0, the promise never
 * settled. `hold()` / `release()` are counted: the process is held from the
 * first hold until the matching last release; with nothing in flight this
 * holds no ref'd handle (the client's open sockets still do, until close()).
 */
export interface KeepAlive {
  /** One more operation in flight. */
  hold(): void;
  /** That operation settled. Every hold() is matched by exactly one release(). */
  release(): void;
  /** Optional: lets go of any handle for good (the client closed). */
  close?(): void;
}

/** The longest setInterval delay Node accepts; the handle never does any work. */
const IDLE_TICK_MS = 2 ** 31 - 1;

/**
 * The default KeepAlive: one never-firing interval handle, ref'd while the
 * count is above zero and unref'd otherwise (so an idle client keeps nothing
 * alive). The handle is made on the first hold and reused: an operation costs
 * a ref()/unref() pair, not a timer created and cleared. close() clears it.
 */
export class ProcessKeepAlive implements KeepAlive {
  private count = 0;
  private handle: ReturnType<typeof setInterval> | undefined;

  hold(): void {
    if (this.count++ === 0) {
      // A process handle, not a timer of the Clock port: it runs nothing (it
      // fires once in ~24 days and does nothing), it only keeps the loop alive.
      // eslint-disable-next-line no-restricted-globals
      if (this.handle === undefined) this.handle = setInterval(noop, IDLE_TICK_MS);
      else this.handle.ref();
    }
  }

  release(): void {
    if (this.count === 0) return;
    if (--this.count === 0) this.handle?.unref();
  }

  /** Clears the handle (the client closed); a later hold() makes a new one. */
  close(): void {
    clearInterval(this.handle);
    this.handle = undefined;
  }

  /** Operations in flight (tests). */
  get held(): number {
    return this.count;
  }
}

function noop(): void {}
