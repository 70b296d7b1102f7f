import { DynamisError } from '../errors/DynamisError';

/** What an inbound stream needs from its connection (a socket, or the simulated network). */
export interface CreditSink {
  /** Grants the sender `chunks` more chunks of credit. */
  grant(id: number, chunks: number): void;
  /** Tells the sender to stop: the handler left early. */
  cancel(id: number): void;
}

interface Waiter {
  resolve(result: IteratorResult<Uint8Array>): void;
  reject(err: unknown): void;
}

const DONE: IteratorResult<Uint8Array> = { done: true, value: undefined };

/**
 * The receiver's side of a stream: the `body` a handler iterates. One
 * implementation for every Transport (transport-ws over sockets, testkit's
 * SimTransport on the simulated network), so streams behave the same in
 * simulation as in production. The sender
 * may have at most `credit` chunks unconsumed here; each time the handler has
 * consumed half of that, the consumed count is granted back, so at most
 * `credit` chunks are ever buffered. Single consumer: a second
 * `[Symbol.asyncIterator]()` throws INVALID_ARGUMENT. Leaving early
 * (`break`, `return()`) cancels the sender once.
 */
export class InboundStream implements AsyncIterable<Uint8Array>, AsyncIterator<Uint8Array> {
  /** The sender aborted (or the connection died): the exchange needs no reply. */
  aborted = false;
  private readonly buffered: Uint8Array[] = [];
  private readonly waiters: Waiter[] = [];
  private state: 'open' | 'ended' | 'failed' | 'cancelled' = 'open';
  private error: unknown;
  private iterated = false;
  /** Chunks the sender may still send without a new grant. */
  private outstanding: number;
  private consumedSinceGrant = 0;

  constructor(
    readonly id: number,
    private readonly credit: number,
    private readonly sink: CreditSink,
  ) {
    this.outstanding = credit;
  }

  /** True once the stream ended, failed or was cancelled. */
  get finished(): boolean {
    return this.state !== 'open';
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array> {
    if (this.iterated) throw new DynamisError('INVALID_ARGUMENT', 'a stream body can be iterated only once');
    this.iterated = true;
    return this;
  }

  next(): Promise<IteratorResult<Uint8Array>> {
    if (this.buffered.length > 0) return Promise.resolve(this.take());
    if (this.state === 'failed') return Promise.reject(this.error);
    if (this.state !== 'open') return Promise.resolve(DONE);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Consumer leaves early: pending reads end, buffered chunks are dropped, the sender is told to stop. */
  return(): Promise<IteratorResult<Uint8Array>> {
    if (this.state === 'open') {
      this.state = 'cancelled';
      this.sink.cancel(this.id);
    }
    this.buffered.length = 0;
    for (const w of this.waiters.splice(0)) w.resolve(DONE);
    return Promise.resolve(DONE);
  }

  /** A chunk arrived. False if the sender had no credit for it (a protocol violation). */
  push(chunk: Uint8Array): boolean {
    if (this.outstanding === 0 || this.state === 'ended') return false;
    this.outstanding--;
    if (this.state !== 'open') return true; // cancelled or failed: drop
    const w = this.waiters.shift();
    if (w === undefined) this.buffered.push(chunk);
    else w.resolve(this.consumed(chunk));
    return true;
  }

  /** The sender's source is exhausted; buffered chunks are still delivered. */
  end(): void {
    if (this.state !== 'open') return;
    this.state = 'ended';
    for (const w of this.waiters.splice(0)) w.resolve(DONE);
  }

  /** The stream broke (sender aborted, connection lost, transport stopped). */
  fail(err: unknown): void {
    this.aborted = true;
    if (this.state !== 'open') return; // an ended stream keeps its buffered chunks
    this.state = 'failed';
    this.error = err;
    this.buffered.length = 0;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private take(): IteratorResult<Uint8Array> {
    return this.consumed(this.buffered.shift()!);
  }

  private consumed(chunk: Uint8Array): IteratorResult<Uint8Array> {
    this.consumedSinceGrant++;
    if (this.state === 'open' && this.consumedSinceGrant * 2 >= this.credit) {
      this.outstanding += this.consumedSinceGrant;
      this.sink.grant(this.id, this.consumedSinceGrant);
      this.consumedSinceGrant = 0;
    }
    return { done: false, value: chunk };
  }
}
