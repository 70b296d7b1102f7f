import type { Envelope } from '@dynamis/core';
import type { Connection } from '../conn/Connection';
import type { OutboundStream } from '../stream/OutboundStream';
import type { DeadlineEntry } from './Deadlines';

/**
 * One outbound request or stream awaiting its reply. Owned by Exchange;
 * settled exactly once (reply, error, timeout, connection loss, stop).
 */
export class Pending implements DeadlineEntry {
  deadline = 0;
  dlPrev: DeadlineEntry | null = null;
  dlNext: DeadlineEntry | null = null;
  dlGroup: null | DeadlineEntry['dlGroup'] = null;
  /** The connection carrying it, once started. */
  conn: Connection | undefined;
  settled = false;
  /** The encoded Request/StreamOpen frame until it is sent. */
  frame: Buffer | undefined;
  readonly promise: Promise<Envelope>;
  resolve!: (reply: Envelope) => void;
  reject!: (err: unknown) => void;

  constructor(
    readonly id: number,
    readonly to: string,
    readonly type: string,
    readonly timeoutMs: number,
    frame: Buffer,
    readonly out: OutboundStream | undefined,
  ) {
    this.frame = frame;
    this.promise = new Promise<Envelope>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }
}
