import { DynamisError, type Clock, type Envelope, type InboundHandler, type Logger } from '@dynamis/core';
import type { Connection } from '../conn/Connection';
import type { NodeBudget } from '../conn/NodeBudget';
import type { Counters } from '../Counters';
import { InboundStream } from '../stream/InboundStream';
import { OutboundStream, type PumpHost } from '../stream/OutboundStream';
import { FrameKind, MAX_ID, MAX_TYPE_LENGTH, type Frame, type WireError } from '../wire/frameSchema';
import type { FrameCodec, IllFormedTextFrame } from '../wire/FrameCodec';
import { fromWireError, toWireError } from '../wire/wireError';
import { isWireValue } from '../wire/wireValue';
import { Deadlines } from './Deadlines';
import { Pending } from './Pending';

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
 *
 * Inbound work is bounded: a request or stream that would exceed its
 * connection's maxRequestsInFlight or maxRequestBytesInFlight, or the node's
 * budget of request bytes, is refused before any handler sees it with
 * UNAVAILABLE `{ overloaded: true, applied: false }` (retryable: it provably
 * did nothing). A reply that cannot be queued (the requester does not read:
 * its queue, or the node's budget of queued bytes, is full) drops that
 * connection at once (no close frame: it could never be read), freeing its
 * queue instead of growing memory; the requester sees the connection lost
 * (UNAVAILABLE).
 */
export class Exchange implements PumpHost {
  readonly maxChunkBytes: number;
  private readonly pending = new Map<number, Pending>();
  private readonly deadlines: Deadlines<Pending>;
  private lastId = 0;

  constructor(private readonly env: ExchangeEnv) {
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
    const frame = this.encodeMessage(body === undefined ? FrameKind.Request : FrameKind.StreamOpen, id, msg);
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
    return this.encodeMessage(FrameKind.OneWay, 0, msg);
  }

  /** Routes one validated frame from `conn`, `bytes` long on the wire. */
  onFrame(conn: Connection, frame: Frame, bytes: number): void {
    const [kind, id, type, body] = frame;
    switch (kind) {
      case FrameKind.Request:
        if (this.admit(conn, id, bytes)) void this.serve(conn, id, type, body, undefined, bytes);
        return;
      case FrameKind.OneWay:
        void this.deliver(conn, type, body);
        return;
      case FrameKind.StreamOpen:
        if (this.admit(conn, id, bytes)) this.openInbound(conn, id, type, body, bytes);
        return;
      case FrameKind.StreamChunk:
      case FrameKind.StreamEnd:
      case FrameKind.StreamAbort:
        return this.onStreamFrame(conn, kind, id, body);
      default:
        return this.onReplyFrame(conn, kind, id, type, body);
    }
  }

  /**
   * A frame whose strings are not all well-formed UTF-8: a request or stream
   * is answered INVALID_KEY (its handler never runs, the connection stays
   * up); a one-way message is dropped (counted); anything else is a protocol
   * violation (our encoder never writes ill-formed UTF-8).
   */
  onIllFormedText(conn: Connection, frame: IllFormedTextFrame): void {
    if (frame.kind === FrameKind.OneWay) {
      this.env.counters.dropped++;
      return;
    }
    if (frame.kind !== FrameKind.Request && frame.kind !== FrameKind.StreamOpen) return conn.violation('ill-formed UTF-8');
    this.env.counters.illFormedText++;
    const err = new DynamisError('INVALID_KEY', 'a string in the request (a key, or another field) is not well-formed UTF-8', {
      details: { applied: false },
    });
    this.reply(conn, this.env.codec.encode(FrameKind.ErrorResponse, frame.id, '', toWireError(err, '')));
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

  /**
   * True if an inbound request (or stream) of `bytes` from `conn` may start
   * now; otherwise it is answered UNAVAILABLE (overloaded, not applied).
   */
  private admit(conn: Connection, id: number, bytes: number): boolean {
    const e = this.env;
    const fits =
      conn.serving < e.maxRequestsInFlight &&
      (conn.serving === 0 || conn.servingBytes + bytes <= e.maxRequestBytesInFlight) &&
      e.budget.canServe(bytes);
    if (fits) return true;
    e.counters.overloaded++;
    const err = new DynamisError('UNAVAILABLE', `${e.self} is overloaded: too much in flight; retry later`, {
      details: { overloaded: true, applied: false, inFlight: conn.serving, inFlightBytes: conn.servingBytes },
    });
    this.reply(conn, e.codec.encode(FrameKind.ErrorResponse, id, '', toWireError(err, '')));
    return false;
  }

  /** Sends a reply on `conn`; one that cannot be queued drops the connection: the requester is not reading. */
  private reply(conn: Connection, frame: Buffer): void {
    if (conn.state !== 'open' || conn.trySend(frame)) return;
    this.env.counters.slowReaderCloses++;
    this.env.logger.warn('dropping a connection whose replies cannot be queued', { peer: conn.peerId });
    conn.terminate('replies not read');
  }

  private openInbound(conn: Connection, id: number, type: string, payload: unknown, bytes: number): void {
    if (conn.streams.has(id)) return conn.violation('stream id reused');
    const stream = new InboundStream(id, this.env.streamChunkCredit, conn);
    conn.streams.set(id, stream);
    conn.grant(id, this.env.streamChunkCredit);
    void this.serve(conn, id, type, payload, stream, bytes);
  }

  private onStreamFrame(conn: Connection, kind: Frame[0], id: number, body: unknown): void {
    const s = conn.streams.get(id);
    if (s === undefined) {
      this.env.counters.unknownCorrelation++;
      return;
    }
    if (kind === FrameKind.StreamChunk) {
      if (!s.push(body as Uint8Array)) conn.violation('stream chunk without credit');
    } else if (kind === FrameKind.StreamEnd) {
      s.end();
    } else {
      conn.streams.delete(id);
      s.fail(fromWireError(body as WireError));
    }
  }

  /** Runs the handler for a request or stream and sends its reply (or error) back on `conn`. */
  private async serve(
    conn: Connection,
    id: number,
    type: string,
    payload: unknown,
    body: InboundStream | undefined,
    bytes: number,
  ): Promise<void> {
    const budget = this.env.budget;
    conn.serving++;
    conn.servingBytes += bytes;
    budget.requestBytes += bytes;
    let frame: Buffer;
    try {
      const reply = await this.invoke(conn, type, payload, body);
      if (reply === undefined || reply === null)
        throw new DynamisError('PROTOCOL_ERROR', `handler for '${type}' on ${this.env.self} returned no reply`);
      frame = this.encodeMessage(FrameKind.Response, id, reply);
    } catch (err) {
      this.env.counters.handlerErrors++;
      frame = this.env.codec.encode(FrameKind.ErrorResponse, id, '', toWireError(err, `handler for '${type}' on ${this.env.self} failed`));
    }
    conn.serving--;
    conn.servingBytes -= bytes;
    budget.requestBytes -= bytes;
    let send = true;
    if (body !== undefined) {
      conn.streams.delete(id);
      send = !body.aborted; // the sender gave up: nobody awaits this reply
      if (!body.finished) void body.return(); // the handler left early: stop the sender
    }
    if (send) this.reply(conn, frame);
  }

  private async deliver(conn: Connection, type: string, payload: unknown): Promise<void> {
    try {
      await this.invoke(conn, type, payload, undefined);
    } catch (err) {
      this.env.counters.handlerErrors++;
      this.env.logger.debug('one-way handler failed', { peer: conn.peerId, type, error: err instanceof Error ? err.message : String(err) });
    }
  }

  private invoke(conn: Connection, type: string, payload: unknown, body: InboundStream | undefined): Promise<Envelope | void> {
    const handler = this.env.handler();
    if (handler === undefined) throw new DynamisError('UNAVAILABLE', `no handler installed on ${this.env.self}`);
    if (conn.role === 'client' && !type.startsWith(this.env.clientTypePrefix)) {
      throw new DynamisError('UNAUTHORIZED', `clients may not send '${type}'`, { details: { type } });
    }
    return handler(conn.peerId, { type, payload }, body);
  }

  private encodeMessage(kind: FrameKind, id: number, msg: Envelope): Buffer {
    if (
      typeof msg !== 'object' ||
      msg === null ||
      typeof msg.type !== 'string' ||
      msg.type.length === 0 ||
      msg.type.length > MAX_TYPE_LENGTH
    ) {
      throw new DynamisError('INVALID_ARGUMENT', `an envelope needs a type of 1–${MAX_TYPE_LENGTH} characters`);
    }
    if (!isWireValue(msg.payload)) {
      throw new DynamisError(
        'INVALID_ARGUMENT',
        `payload of '${msg.type}' is not plain data (null, booleans, numbers, strings, Uint8Array, arrays, plain objects)`,
      );
    }
    const frame = this.env.codec.encode(kind, id, msg.type, msg.payload);
    if (frame.length > this.env.maxPayloadBytes) {
      throw new DynamisError(
        'INVALID_ARGUMENT',
        `'${msg.type}' encodes to ${frame.length} bytes, over maxPayloadBytes (${this.env.maxPayloadBytes})`,
        {
          details: { bytes: frame.length, maxPayloadBytes: this.env.maxPayloadBytes },
        },
      );
    }
    return frame;
  }

  private nextId(): number {
    do {
      this.lastId = this.lastId >= MAX_ID ? 1 : this.lastId + 1;
    } while (this.pending.has(this.lastId));
    return this.lastId;
  }
}
