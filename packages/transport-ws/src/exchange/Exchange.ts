import {
  DynamisError,
  fromWireError,
  toWireError,
  type WireError,
  type Clock,
  type Envelope,
  type InboundHandler,
  type Logger,
} from '@dynamis/core';
import type { Connection } from '../conn/Connection';
import type { NodeBudget } from '../conn/NodeBudget';
import type { Counters } from '../Counters';
import { OutboundStream, type PumpHost } from '../stream/OutboundStream';
import { FrameKind, MAX_ID, type Frame } from '../wire/frameSchema';
import type { FrameCodec, IllFormedTextFrame } from '../wire/FrameCodec';
import { Deadlines } from './Deadlines';
import { encodeMessage } from './encodeMessage';
import { Pending } from './Pending';
import { Serving } from './Serving';

export interface ExchangeEnv {
  readonly self: string;
  readonly codec: FrameCodec;
  readonly counters: Counters;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly maxPayloadBytes: number;
  readonly streamChunkCredit: number;
  /** Message types a client connection may send start with this. */
  readonly clientTypePrefix: string;
  /** Per connection: most inbound requests and streams being handled at once. */
  readonly maxRequestsInFlight: number;
  /** Per connection: most bytes of inbound request frames being handled at once (one request always may run). */
  readonly maxRequestBytesInFlight: number;
  readonly budget: NodeBudget;
  handler(): InboundHandler | undefined;
}

/** Bytes of frame overhead a chunk must leave room for. */
const FRAME_OVERHEAD = 64;

/**
 * Request/response and stream exchanges over any number of connections:
 * correlation ids (one space per Exchange; a reply counts only on the
 * connection its request left on), timeouts on one timer, inbound dispatch to
 * the handler, and stream flow control. Knows nothing of peers or addresses.
 * Inbound frames (requests, streams and one-way messages to this side) are
 * handed to Serving, which bounds them.
 */
export class Exchange implements PumpHost {
  readonly maxChunkBytes: number;
  private readonly pending = new Map<number, Pending>();
  private readonly deadlines: Deadlines<Pending>;
  private lastId = 0;

  private readonly serving: Serving;

  constructor(private readonly env: ExchangeEnv) {
    this.serving = new Serving(env);
    this.maxChunkBytes = env.maxPayloadBytes - FRAME_OVERHEAD;
    this.deadlines = new Deadlines<Pending>(env.clock, this.expire);
  }

  get codec(): FrameCodec {
    return this.env.codec;
  }

  /** Requests and streams awaiting their reply. */
  get inFlight(): number {
    return this.pending.size;
  }

  /**
   * Creates a request (or, with `body`, a stream) to `to`, encoded and with
   * its timeout running; start it with `start` or fail it with `fail`.
   * Throws INVALID_ARGUMENT for a bad envelope, timeout or oversize message.
   */
  open(to: string, msg: Envelope, body: AsyncIterable<Uint8Array> | undefined, timeoutMs: number): Pending {
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      throw new DynamisError('INVALID_ARGUMENT', `timeoutMs must be a positive number, got ${String(timeoutMs)}`);
    }
    if (body !== undefined && typeof body?.[Symbol.asyncIterator] !== 'function') {
      throw new DynamisError('INVALID_ARGUMENT', 'a stream body must be an AsyncIterable<Uint8Array>');
    }
    const id = this.nextId();
    const frame = encodeMessage(this.env, body === undefined ? FrameKind.Request : FrameKind.StreamOpen, id, msg);
    const out = body === undefined ? undefined : new OutboundStream(id, body[Symbol.asyncIterator](), this);
    const p = new Pending(id, to, msg.type, timeoutMs, frame, out);
    this.pending.set(id, p);
    this.deadlines.add(p, timeoutMs);
    return p;
  }

  /** Sends `p` on `conn` (UNAVAILABLE if the connection is full or closed). */
  start(p: Pending, conn: Connection): void {
    if (p.settled) return;
    const frame = p.frame!;
    p.frame = undefined;
    p.conn = conn;
    conn.pendingCount++;
    try {
      conn.send(frame);
    } catch (err) {
      this.settle(p, err, undefined, false);
      return;
    }
    if (p.out !== undefined) void p.out.run(conn);
  }

  /** Fails `p` with `err` (no-op once settled). */
  fail(p: Pending, err: unknown): void {
    this.settle(p, err, undefined, true);
  }

  /** Encodes a one-way message; throws INVALID_ARGUMENT like `open`. */
  encodeOneWay(msg: Envelope): Buffer {
    return encodeMessage(this.env, FrameKind.OneWay, 0, msg);
  }

  /** Routes one validated frame from `conn`, `bytes` long on the wire. */
  onFrame(conn: Connection, frame: Frame, bytes: number): void {
    const [kind, id, type, body] = frame;
    switch (kind) {
      case FrameKind.Request:
      case FrameKind.StreamOpen:
        return this.serving.onRequest(conn, kind, id, type, body, bytes);
      case FrameKind.OneWay:
        return this.serving.onOneWay(conn, type, body, bytes);
      case FrameKind.StreamChunk:
      case FrameKind.StreamEnd:
      case FrameKind.StreamAbort:
        return this.serving.onStreamFrame(conn, kind, id, body);
      default:
        return this.onReplyFrame(conn, kind, id, type, body);
    }
  }

  /** A frame whose strings are not all well-formed UTF-8 (see Serving.onIllFormedText). */
  onIllFormedText(conn: Connection, frame: IllFormedTextFrame): void {
    this.serving.onIllFormedText(conn, frame);
  }

  /** `conn` is gone: its exchanges fail UNAVAILABLE, its inbound streams break. */
  connectionClosed(conn: Connection): void {
    const err = new DynamisError('UNAVAILABLE', `connection to ${conn.peerId} was lost`, { details: { peer: conn.peerId } });
    if (conn.pendingCount > 0) {
      for (const p of this.pending.values()) if (p.conn === conn) this.settle(p, err, undefined, false);
    }
    for (const s of conn.streams.values()) s.fail(err);
    conn.streams.clear();
  }

  /** Fails every exchange with `err` and cancels the timer (transport stop). */
  stop(err: DynamisError): void {
    for (const p of [...this.pending.values()]) this.settle(p, err, undefined, false);
    this.deadlines.clear();
  }

  /** PumpHost: the source failed; fail the exchange and tell the receiver. */
  abortStream(id: number, err: unknown): void {
    const p = this.pending.get(id);
    if (p !== undefined) this.settle(p, err, undefined, true);
  }

  private readonly expire = (p: Pending): void => {
    this.env.counters.timeouts++;
    const err = new DynamisError('TIMEOUT', `'${p.type}' to ${p.to} timed out after ${p.timeoutMs} ms`, { details: { peer: p.to } });
    this.settle(p, err, undefined, true);
  };

  /** Settles once; `notifyPeer` aborts the receiver's side of a stream. */
  private settle(p: Pending, err: unknown, reply: Envelope | undefined, notifyPeer: boolean): void {
    if (p.settled) return;
    p.settled = true;
    p.frame = undefined;
    this.pending.delete(p.id);
    this.deadlines.remove(p);
    const conn = p.conn;
    if (p.out !== undefined) {
      p.out.stop();
      if (err !== undefined && notifyPeer && conn !== undefined) {
        conn.trySend(this.env.codec.encode(FrameKind.StreamAbort, p.id, '', toWireError(err, 'stream aborted by its sender')));
      }
    }
    if (err === undefined) p.resolve(reply!);
    else {
      this.env.counters.errors++;
      p.reject(err);
    }
    if (conn !== undefined) conn.pendingCount--;
  }

  private onReplyFrame(conn: Connection, kind: Frame[0], id: number, type: string, body: unknown): void {
    const p = this.pending.get(id);
    if (p === undefined || p.conn !== conn) {
      this.env.counters.unknownCorrelation++;
      return;
    }
    switch (kind) {
      case FrameKind.Response:
        return this.settle(p, undefined, { type, payload: body }, false);
      case FrameKind.ErrorResponse:
        return this.settle(p, fromWireError(body as WireError), undefined, false);
      case FrameKind.StreamCredit:
      case FrameKind.StreamCancel:
        if (p.out === undefined) return conn.violation('stream frame for a request');
        if (kind === FrameKind.StreamCredit) p.out.grant(body as number);
        else p.out.stop();
        return;
    }
  }

  private nextId(): number {
    do {
      this.lastId = this.lastId >= MAX_ID ? 1 : this.lastId + 1;
    } while (this.pending.has(this.lastId));
    return this.lastId;
  }
}
