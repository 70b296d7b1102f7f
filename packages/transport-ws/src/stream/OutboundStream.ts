import { DynamisError } from '@dynamis/core';
import type { Connection } from '../conn/Connection';
import { FrameKind } from '../wire/frameSchema';
import type { FrameCodec } from '../wire/FrameCodec';

/** What the pump reports to its exchange. */
export interface PumpHost {
  readonly codec: FrameCodec;
  /** Largest chunk sent in one frame; larger source chunks are split. */
  readonly maxChunkBytes: number;
  /** The source failed or yielded a non-Uint8Array: abort the stream with `err`. */
  abortStream(id: number, err: unknown): void;
}

/**
 * The sender's side of a stream: reads the source one chunk at a time and
 * sends it only while it holds credit (granted by the receiver) and the
 * connection is under its high-water mark, so a slow receiver slows the
 * source instead of growing memory. The source is closed (`return()`) once,
 * when the stream stops early (cancel, reply, error, timeout, connection loss).
 */
export class OutboundStream {
  private credit = 0;
  private stopped = false;
  private sourceDone = false;
  private wakeup: (() => void) | undefined;

  constructor(
    private readonly id: number,
    private readonly iter: AsyncIterator<Uint8Array>,
    private readonly host: PumpHost,
  ) {}

  /** The receiver granted `chunks` more credit. */
  grant(chunks: number): void {
    this.credit += chunks;
    this.wake();
  }

  /** Stops reading the source (receiver cancelled, exchange settled). Idempotent. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.wake();
    if (!this.sourceDone) {
      this.sourceDone = true;
      Promise.resolve()
        .then(() => this.iter.return?.())
        .catch(() => undefined);
    }
  }

  /** Runs until the source ends (sends StreamEnd), the stream stops, or a failure (reported to the host). */
  async run(conn: Connection): Promise<void> {
    try {
      for (;;) {
        if (!(await this.ready(conn))) return;
        const r = await this.iter.next();
        if (this.stopped) return;
        if (r.done === true) {
          this.sourceDone = true;
          conn.send(this.host.codec.encode(FrameKind.StreamEnd, this.id, '', null));
          return;
        }
        const chunk: unknown = r.value;
        if (!(chunk instanceof Uint8Array))
          throw new DynamisError('INVALID_ARGUMENT', 'a stream body yielded a chunk that is not a Uint8Array');
        await this.sendChunk(conn, chunk);
      }
    } catch (err) {
      if (this.stopped) return;
      this.sourceDone = true; // a failed source is not closed again
      this.host.abortStream(this.id, err);
    }
  }

  private async sendChunk(conn: Connection, chunk: Uint8Array): Promise<void> {
    const max = this.host.maxChunkBytes;
    if (chunk.length <= max) {
      this.sendPiece(conn, chunk);
      return;
    }
    for (let offset = 0; offset < chunk.length; offset += max) {
      if (offset > 0 && !(await this.ready(conn))) return;
      this.sendPiece(conn, chunk.subarray(offset, offset + max));
    }
  }

  private sendPiece(conn: Connection, piece: Uint8Array): void {
    this.credit--;
    conn.send(this.host.codec.encode(FrameKind.StreamChunk, this.id, '', piece));
  }

  /** Waits for credit and a writable connection; false once stopped or the connection closed. */
  private async ready(conn: Connection): Promise<boolean> {
    while (!this.stopped && conn.state !== 'closed') {
      if (this.credit <= 0) await new Promise<void>((resolve) => (this.wakeup = resolve));
      else if (!conn.writable) await conn.whenWritable();
      else return true;
    }
    return false;
  }

  private wake(): void {
    const wake = this.wakeup;
    this.wakeup = undefined;
    wake?.();
  }
}
