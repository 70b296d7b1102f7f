import { DynamisError } from '@dynamis/core';
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { Counters } from '../Counters';
import { ByteQueue } from './ByteQueue';
import type { NodeBudget } from './NodeBudget';
import { TickBatch } from './TickBatch';

/**
 * The sending half of a connection, with backpressure. Frames go straight to
 * the socket while its buffered bytes stay under the high-water mark, then
 * into a bounded queue that the socket's 'drain' empties; a frame that would
 * overflow the queue (maxQueuedBytes), or the node-wide budget of queued
 * bytes shared by every connection, is refused (UNAVAILABLE). Frames leave in
 * `send` order.
 *
 * Frames leave through a TickBatch: the frames of one event-loop iteration
 * leave together in one socket write at its check phase (at most
 * MAX_CORKED_BYTES held back, and at most `maxCorkedFrames` frames); a quiet
 * connection writes its first frame at once (lowest latency for a lone request).
 */
export class FrameWriter {
  private readonly queue = new ByteQueue();
  private readonly batch: TickBatch;
  private closed = false;
  private drainWaiters: Promise<void> | undefined;
  private wakeDrainWaiters: (() => void) | undefined;

  /** Throws UNAVAILABLE if `ws` has no socket (not open yet). */
  constructor(
    private readonly ws: WebSocket,
    private readonly peerId: string,
    private readonly counters: Counters,
    private readonly highWaterMarkBytes: number,
    private readonly maxQueuedBytes: number,
    private readonly budget: NodeBudget,
    masked: boolean,
    maxCorkedFrames = Infinity,
  ) {
    const socket = (ws as unknown as { _socket?: Socket })._socket;
    if (socket === undefined) throw new DynamisError('UNAVAILABLE', 'WebSocket has no socket yet');
    this.batch = new TickBatch(ws, socket, masked, counters, maxCorkedFrames);
    socket.on('drain', this.onDrain);
  }

  /** True while a frame would be written without queueing. */
  get writable(): boolean {
    return !this.closed && this.queue.length === 0 && this.ws.bufferedAmount < this.highWaterMarkBytes;
  }

  get queuedBytes(): number {
    return this.queue.bytes;
  }

  /** Writes or queues `frame`. Throws UNAVAILABLE when closed or when the queue would exceed maxQueuedBytes. */
  send(frame: Buffer): void {
    if (this.closed) throw new DynamisError('UNAVAILABLE', `connection to ${this.peerId} is closed`, { details: { peer: this.peerId } });
    if (this.queue.length === 0 && this.ws.bufferedAmount < this.highWaterMarkBytes) {
      this.write(frame);
      return;
    }
    if (!this.budget.canQueue(frame.length)) {
      throw new DynamisError('UNAVAILABLE', `send queues of this node are full (${this.budget.queuedBytes} bytes): peers are not reading`, {
        details: { peer: this.peerId, nodeQueuedBytes: this.budget.queuedBytes },
      });
    }
    if (this.queue.bytes + frame.length > this.maxQueuedBytes) {
      throw new DynamisError('UNAVAILABLE', `send queue to ${this.peerId} is full (${this.queue.bytes} bytes): the peer is not reading`, {
        details: { peer: this.peerId, queuedBytes: this.queue.bytes },
      });
    }
    this.queue.push(frame);
    this.budget.queuedBytes += frame.length;
  }

  /** Resolves once writable again, or closed. One promise per congestion episode, shared by all waiters. */
  whenWritable(): Promise<void> {
    if (this.writable || this.closed) return Promise.resolve();
    this.drainWaiters ??= new Promise<void>((resolve) => (this.wakeDrainWaiters = resolve));
    return this.drainWaiters;
  }

  /** Drops the queue and wakes every waiter; later sends throw. */
  close(): void {
    this.closed = true;
    this.budget.queuedBytes -= this.queue.bytes;
    this.queue.clear();
    this.wake();
  }

  /** Writes the frames held for the end of the iteration now (before a close frame). */
  flush(): void {
    this.batch.flush();
  }

  private write(frame: Buffer): void {
    this.counters.messagesOut++;
    this.counters.bytesOut += frame.length;
    this.batch.write(frame);
  }

  /**
   * The socket emptied its buffer. It emits 'drain' after any write that
   * found its buffer above its own high-water mark (16 KiB), and ours is at
   * least 64 KiB, so every congestion episode ends here.
   */
  private readonly onDrain = (): void => {
    if (this.closed) return;
    while (this.queue.length > 0) {
      if (this.ws.bufferedAmount >= this.highWaterMarkBytes) return; // the next 'drain' resumes
      const frame = this.queue.shift()!;
      this.budget.queuedBytes -= frame.length;
      this.write(frame);
    }
    if (this.ws.bufferedAmount < this.highWaterMarkBytes) this.wake();
  };

  private wake(): void {
    const wake = this.wakeDrainWaiters;
    this.drainWaiters = this.wakeDrainWaiters = undefined;
    wake?.();
  }
}
