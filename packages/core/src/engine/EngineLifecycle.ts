import { DynamisError } from '../errors/DynamisError';

/** Where an engine is in its lifecycle. */
export type EngineStatus = 'closed' | 'opening' | 'open' | 'closing';

function ignore(): void {}

/**
 * The lifecycle half of AbstractStorageEngine: open/close state, and the
 * count of calls in flight that close() waits for.
 *
 * open() and close() are idempotent; concurrent open() calls share one
 * promise. close() during open() waits for it, open() during close() waits
 * for the close then reopens. A failed open() leaves the engine closed.
 * close() runs `_abortReaders`, then waits for the calls in flight (those
 * counted with `enter` and not yet `settle`d), then `_releaseReaders`, then
 * `_close`; `_forgetReaders` runs at the end, whatever failed.
 */
export abstract class EngineLifecycle {
  private state: EngineStatus = 'closed';
  private opening: Promise<void> | undefined = undefined;
  private closing: Promise<void> | undefined = undefined;
  private pending = 0;
  private drained: (() => void) | undefined = undefined;
  /** settle(), bound once (no closure per call on the hot paths). */
  protected readonly settleOne = (): void => this.settle();

  /** Where the engine is in its lifecycle. */
  get status(): EngineStatus {
    return this.state;
  }

  /**
   * Opens (creating and recovering what the engine needs). On failure it must
   * release what it took: the engine stays closed.
   */
  protected abstract _open(): Promise<void> | void;
  /** Flushes and releases everything. Called once per open, with no call in flight. */
  protected abstract _close(): Promise<void> | void;
  /** First step of close(): ends the readers (iterators) that could keep calls in flight. */
  protected abstract _abortReaders(): Promise<void>;
  /** After the calls in flight settled: releases what readers still hold (snapshots). */
  protected abstract _releaseReaders(): void;
  /** Last step of close(), even after a failure: forgets every reader. */
  protected abstract _forgetReaders(): void;

  open(): Promise<void> {
    switch (this.state) {
      case 'open':
        return Promise.resolve();
      case 'opening':
        return this.opening as Promise<void>;
      case 'closing':
        return (this.closing as Promise<void>).then(() => this.open());
      case 'closed':
        this.state = 'opening';
        this.opening = this.runOpen();
        return this.opening;
    }
  }

  close(): Promise<void> {
    switch (this.state) {
      case 'closed':
        return Promise.resolve();
      case 'closing':
        return this.closing as Promise<void>;
      case 'opening':
        return (this.opening as Promise<void>).then(() => this.close(), ignore);
      case 'open':
        this.state = 'closing';
        this.closing = this.runClose();
        return this.closing;
    }
  }

  /** Lifecycle: the same as open(). */
  start(): Promise<void> {
    return this.open();
  }

  /** Lifecycle: the same as close(); safe after a failed start(). */
  stop(): Promise<void> {
    return this.close();
  }

  /** Throws NOT_OPEN unless open. */
  protected checkOpen(): void {
    if (this.state !== 'open') {
      throw new DynamisError('NOT_OPEN', `storage engine is ${this.state}`, { details: { status: this.state } });
    }
  }

  /** Counts a call in flight; pair with exactly one settle(). */
  protected enter(): void {
    this.pending++;
  }

  /** Ends a call counted by enter(). */
  protected settle(): void {
    if (--this.pending === 0 && this.drained !== undefined) {
      const drained = this.drained;
      this.drained = undefined;
      drained();
    }
  }

  private async runOpen(): Promise<void> {
    try {
      await this._open();
    } catch (err) {
      this.state = 'closed';
      throw err;
    } finally {
      this.opening = undefined;
    }
    this.state = 'open';
  }

  private async runClose(): Promise<void> {
    try {
      await this._abortReaders();
      if (this.pending > 0) await new Promise<void>((resolve) => (this.drained = resolve));
      this._releaseReaders();
      await this._close();
    } finally {
      this._forgetReaders();
      this.state = 'closed';
      this.closing = undefined;
    }
  }
}
