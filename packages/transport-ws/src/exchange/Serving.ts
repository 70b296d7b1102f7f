import { DynamisError, fromWireError, InboundStream, requireReply, toWireError, type Envelope, type WireError } from '@dynamis/core';
import type { Connection } from '../conn/Connection';
import { FrameKind, type Frame } from '../wire/frameSchema';
import type { IllFormedTextFrame } from '../wire/FrameCodec';
import { encodeMessage } from './encodeMessage';
import type { ExchangeEnv } from './Exchange';

/**
 * The responding side of exchanges: runs the handler for inbound requests,
 * streams and one-way messages and sends the replies.
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
export class Serving {
  constructor(private readonly env: ExchangeEnv) {}

  /** A Request or StreamOpen frame of `bytes` from `conn`: admitted and served, or refused. */
  onRequest(conn: Connection, kind: Frame[0], id: number, type: string, payload: unknown, bytes: number): void {
    if (!this.admit(conn, id, bytes)) return;
    if (kind === FrameKind.Request) void this.serve(conn, id, type, payload, undefined, bytes);
    else this.openInbound(conn, id, type, payload, bytes);
  }

  /**
   * A one-way message of `bytes`: its handler runs under the same in-flight
   * bounds as requests (else a peer could bypass them with one-way messages);
   * beyond them it is dropped and counted (`overloaded`), as one-way
   * messages are best effort. A handler failure is counted and logged.
   */
  onOneWay(conn: Connection, type: string, payload: unknown, bytes: number): void {
    if (this.fits(conn, bytes)) void this.deliver(conn, type, payload, bytes);
    else this.env.counters.overloaded++;
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

  /**
   * True if an inbound request (or stream) of `bytes` from `conn` may start
   * now; otherwise it is answered UNAVAILABLE (overloaded, not applied).
   */
  private admit(conn: Connection, id: number, bytes: number): boolean {
    if (this.fits(conn, bytes)) return true;
    const e = this.env;
    e.counters.overloaded++;
    const err = new DynamisError('UNAVAILABLE', `${e.self} is overloaded: too much in flight; retry later`, {
      details: { overloaded: true, applied: false, inFlight: conn.serving, inFlightBytes: conn.servingBytes },
    });
    this.reply(conn, e.codec.encode(FrameKind.ErrorResponse, id, '', toWireError(err, '')));
    return false;
  }

  /** True if work of `bytes` from `conn` stays within its connection's and the node's in-flight bounds. */
  private fits(conn: Connection, bytes: number): boolean {
    const e = this.env;
    return (
      conn.serving < e.maxRequestsInFlight &&
      (conn.serving === 0 || conn.servingBytes + bytes <= e.maxRequestBytesInFlight) &&
      e.budget.canServe(bytes)
    );
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

  /** A StreamChunk, StreamEnd or StreamAbort for an inbound stream of `conn`. */
  onStreamFrame(conn: Connection, kind: Frame[0], id: number, body: unknown): void {
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
    this.take(conn, bytes);
    let frame: Buffer;
    try {
      const reply = requireReply(await this.invoke(conn, type, payload, body), type, this.env.self);
      frame = encodeMessage(this.env, FrameKind.Response, id, reply);
    } catch (err) {
      this.env.counters.handlerErrors++;
      frame = this.env.codec.encode(FrameKind.ErrorResponse, id, '', toWireError(err, `handler for '${type}' on ${this.env.self} failed`));
    }
    this.release(conn, bytes);
    let send = true;
    if (body !== undefined) {
      conn.streams.delete(id);
      send = !body.aborted; // the sender gave up: nobody awaits this reply
      if (!body.finished) void body.return(); // the handler left early: stop the sender
    }
    if (send) this.reply(conn, frame);
  }

  private async deliver(conn: Connection, type: string, payload: unknown, bytes: number): Promise<void> {
    this.take(conn, bytes);
    try {
      await this.invoke(conn, type, payload, undefined);
    } catch (err) {
      this.env.counters.handlerErrors++;
      this.env.logger.debug('one-way handler failed', { peer: conn.peerId, type, error: err instanceof Error ? err.message : String(err) });
    }
    this.release(conn, bytes);
  }

  /** Counts work of `bytes` as in flight on `conn` and the node. */
  private take(conn: Connection, bytes: number): void {
    conn.serving++;
    conn.servingBytes += bytes;
    this.env.budget.requestBytes += bytes;
  }

  private release(conn: Connection, bytes: number): void {
    conn.serving--;
    conn.servingBytes -= bytes;
    this.env.budget.requestBytes -= bytes;
  }

  private invoke(conn: Connection, type: string, payload: unknown, body: InboundStream | undefined): Promise<Envelope | void> {
    const handler = this.env.handler();
    if (handler === undefined) throw new DynamisError('UNAVAILABLE', `no handler installed on ${this.env.self}`);
    if (conn.role === 'client' && !type.startsWith(this.env.clientTypePrefix)) {
      throw new DynamisError('UNAUTHORIZED', `clients may not send '${type}'`, { details: { type } });
    }
    return handler(conn.peerId, { type, payload }, body);
  }
}
