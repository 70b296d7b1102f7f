import { DynamisError } from '@dynamis/core';

interface Waiter {
  resolve(result: IteratorResult<Uint8Array>): void;
  reject(err: unknown): void;
}

const DONE: IteratorResult<Uint8Array> = { done: true, value: undefined };

/**
 * The receiver's side of a simulated stream: the `body` a handler iterates.
 * Pull-based: each `next()` asks the sender (through `requestChunk`) for
 * exactly one chunk, so the sender reads its source no faster than this side
 * consumes. Single consumer: a second `[Symbol.asyncIterator]()` throws
 * INVALID_ARGUMENT. Leaving early (`break`, `return()`) calls `onCancel` once.
 */
export class InboundStream implements AsyncIterable<Uint8Array>, AsyncIterator<Uint8Array> {
  private readonly waiters: Waiter[] = [];
  private state: 'open' | 'ended' | 'failed' = 'open';
  private error: unknown;
  private iterated = false;

  constructor(
    private readonly requestChunk: () => void,
    private readonly onCancel: () => void,
  ) {}

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
    if (this.state === 'ended') return Promise.resolve(DONE);
    if (this.state === 'failed') return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.requestChunk();
    });
  }

  /** Consumer leaves early: pending reads end, the sender is told to stop. */
  return(): Promise<IteratorResult<Uint8Array>> {
    if (this.state === 'open') {
      this.finish();
      this.onCancel();
    }
    return Promise.resolve(DONE);
  }

  /** A chunk arrived for the oldest pending read. */
  push(chunk: Uint8Array): void {
    this.waiters.shift()?.resolve({ done: false, value: chunk });
  }

  /** The sender's source is exhausted. */
  end(): void {
    if (this.state === 'open') this.finish();
  }

  /** The stream broke (sender aborted, reset, or this node went down). */
  fail(err: unknown): void {
    if (this.state !== 'open') return;
    this.state = 'failed';
    this.error = err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  private finish(): void {
    this.state = 'ended';
    for (const w of this.waiters.splice(0)) w.resolve(DONE);
  }
}
