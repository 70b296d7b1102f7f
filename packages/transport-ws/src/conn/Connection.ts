import { DynamisError, type Clock, type CreditSink, type InboundStream, type Logger, type Timer } from '@dynamis/core';
import type WebSocket from 'ws';
import { HANDSHAKE_MAX_BYTES, proofMatches, type Role } from '../auth/handshake';
import type { Counters } from '../Counters';
import { FrameKind, type Frame } from '../wire/frameSchema';
import { IllFormedTextFrame, type FrameCodec } from '../wire/FrameCodec';
import { FrameWriter } from './FrameWriter';
import { CLIENT_CORKED_FRAMES } from './TickBatch';
import type { NodeBudget } from './NodeBudget';
import { maxPayloadOf, setMaxPayload } from './payloadLimit';

/** Who gets a connection's events. Calls are synchronous, from ws event handlers. */
export interface ConnectionOwner {
  /** The handshake completed; frames may flow both ways. Called once. */
  onAuthenticated(conn: Connection): void;
  /** A valid frame of an authenticated connection (never Auth/AuthOk), `bytes` long on the wire. */
  onFrame(conn: Connection, frame: Frame, bytes: number): void;
  /** A frame of an authenticated connection that is valid but for a string that is not well-formed UTF-8. */
  onIllFormedText(conn: Connection, frame: IllFormedTextFrame): void;
  /** The connection is gone (either side, any reason). Called once, even before authentication. */
  onClosed(conn: Connection, code: number, reason: string): void;
}

export interface ConnectionInit {
  /** The peer as the handler sees it: a node id, or `client:<id>`. */
  readonly peerId: string;
  readonly role: Role;
  /** True on the dialing side. */
  readonly outbound: boolean;
  /** The proof the peer's first frame must carry (Auth from a dialer, AuthOk from an acceptor). */
  readonly expectedProof: Buffer;
  /** Accepting side: our proof, sent in AuthOk once the dialer's checks out. Dialing side: undefined. */
  readonly replyProof: Buffer | undefined;
  /** Accepting side: the connection's place in the acceptor's table of connection slots. */
  readonly slot?: InboundSlot;
}

/** An inbound connection's slot (see Acceptor). */
export interface InboundSlot {
  /**
   * The peer proved its identity: move from the pending handshakes to the
   * authenticated connections of its role. False if the role has no room
   * left (the connection is then closed with 1013, try again later).
   */
  admit(): boolean;
}

export interface ConnectionEnv {
  readonly owner: ConnectionOwner;
  readonly codec: FrameCodec;
  readonly counters: Counters;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly highWaterMarkBytes: number;
  readonly maxQueuedBytes: number;
  /** Largest message accepted once authenticated (before: HANDSHAKE_MAX_BYTES). */
  readonly maxPayloadBytes: number;
  readonly budget: NodeBudget;
}

/** WebSocket close codes used by the transport (docs/protocol.md). */
export const CloseCode = { normal: 1000, goingAway: 1001, protocol: 1002, policy: 1008, tooBig: 1009, tryAgain: 1013 } as const;

/**
 * One authenticated-or-authenticating WebSocket: decodes and validates every
 * message (an invalid one closes the connection with 1002 and is counted),
 * runs the last step of the handshake (a wrong proof closes with 1008), and
 * sends through a FrameWriter (backpressure, bounded queue, in order).
 *
 * Until the handshake completed, ws accepts messages of at most
 * HANDSHAKE_MAX_BYTES (bigger: 1009 before the payload is buffered) and only
 * the Auth/AuthOk frame is decoded; the limit rises to maxPayloadBytes when
 * the peer's proof checks out. Throws UNAVAILABLE if `ws` does not start at
 * the handshake limit (see payloadLimit).
 */
export class Connection implements CreditSink {
  state: 'auth' | 'open' | 'closed' = 'auth';
  readonly peerId: string;
  readonly role: Role;
  readonly outbound: boolean;
  /** Superseded by another connection to the same peer: carries no new exchanges. */
  draining = false;
  /** Outbound requests/streams awaiting a reply on this connection. */
  pendingCount = 0;
  /** Inbound requests/streams being handled. */
  serving = 0;
  /** Bytes of the inbound request frames being handled. */
  servingBytes = 0;
  /** Inbound streams by exchange id. */
  readonly streams = new Map<number, InboundStream>();
  /** Heartbeat bookkeeping (owned by the transport's heartbeat). */
  awaitingPong = false;
  pingAt = 0;
  rttMs: number | undefined;
  /** Idle bookkeeping: set on every frame in or out, cleared by the idle sweep. */
  active = true;
  idleSweeps = 0;
  /** Drops the connection if the handshake does not complete in time; cancelled on authentication and close. */
  handshakeTimer: Timer | undefined;
  /** Closed on purpose by this side (idle, duplicate, stop): no reconnect. */
  closeExpected = false;
  /** This side closed it because the peer's proof was wrong (on the dialing side: the acceptor is an impostor). */
  failedAuth = false;

  private readonly writer: FrameWriter;
  private expectedProof: Buffer | undefined;
  private replyProof: Buffer | undefined;
  private readonly slot: InboundSlot | undefined;

  constructor(
    readonly ws: WebSocket,
    init: ConnectionInit,
    private readonly env: ConnectionEnv,
  ) {
    this.peerId = init.peerId;
    this.role = init.role;
    this.outbound = init.outbound;
    this.expectedProof = init.expectedProof;
    this.replyProof = init.replyProof;
    this.slot = init.slot;
    if (maxPayloadOf(ws) !== HANDSHAKE_MAX_BYTES) {
      throw new DynamisError('UNAVAILABLE', `a connection must start with maxPayload ${HANDSHAKE_MAX_BYTES} until authenticated`);
    }
    ws.on('message', this.onMessage);
    ws.on('close', this.onWsClose);
    ws.on('error', this.onWsError);
    ws.on('pong', this.onPong);
    // A client connection writes a burst in chunks of CLIENT_CORKED_FRAMES, so that client and node overlap (see there).
    const maxFrames = init.role === 'client' ? CLIENT_CORKED_FRAMES : Infinity;
    this.writer = new FrameWriter(
      ws,
      init.peerId,
      env.counters,
      env.highWaterMarkBytes,
      env.maxQueuedBytes,
      env.budget,
      init.outbound,
      maxFrames,
    );
  }

  /** True while frames may be sent without queueing. */
  get writable(): boolean {
    return this.state !== 'closed' && this.writer.writable;
  }

  get queuedBytes(): number {
    return this.writer.queuedBytes;
  }

  /** Work in flight either way. */
  get busy(): boolean {
    return this.pendingCount > 0 || this.serving > 0 || this.streams.size > 0;
  }

  /** Sends one encoded frame, or queues it behind earlier ones (see FrameWriter). Throws UNAVAILABLE when closed or full. */
  send(frame: Buffer): void {
    this.writer.send(frame);
    this.active = true;
  }

  /** Resolves once the connection is writable again, or closed. */
  whenWritable(): Promise<void> {
    return this.writer.whenWritable();
  }

  /** Sends a ping for the heartbeat; false if one is still unanswered (the peer is dead). */
  ping(now: number): boolean {
    if (this.state !== 'open') return true;
    if (this.awaitingPong) return false;
    this.awaitingPong = true;
    this.pingAt = now;
    try {
      this.ws.ping();
    } catch {
      // closing: the close event follows
    }
    return true;
  }

  /** Grants stream `id` more credit (CreditSink). Dropped if the connection is gone or full. */
  grant(id: number, chunks: number): void {
    this.trySend(this.env.codec.encode(FrameKind.StreamCredit, id, '', chunks));
  }

  /** Cancels stream `id` towards its sender (CreditSink). */
  cancel(id: number): void {
    this.trySend(this.env.codec.encode(FrameKind.StreamCancel, id, '', null));
  }

  /** `send` that reports failure as false instead of throwing. */
  trySend(frame: Buffer): boolean {
    try {
      this.send(frame);
      return true;
    } catch {
      return false;
    }
  }

  /** Closes on purpose (idle, duplicate, stop): the peer is not re-dialled for it. */
  retire(code: number, reason: string): void {
    this.closeExpected = true;
    this.close(code, reason);
  }

  /** Closes with `code` (idempotent); the owner hears onClosed at once. */
  close(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.writer.flush(); // frames sent before the close go before the close frame
    try {
      this.ws.close(code, reason);
    } catch {
      this.ws.terminate();
    }
    this.closed(code, reason);
  }

  /** Drops the socket without a close handshake (dead peer, stop timeout). */
  terminate(reason: string): void {
    this.ws.terminate();
    this.closed(1006, reason);
  }

  /** Closes with 1002 for a protocol violation (counted). */
  violation(reason: string): void {
    this.env.counters.protocolViolations++;
    this.env.logger.debug('protocol violation', { peer: this.peerId, reason });
    this.close(CloseCode.protocol, 'protocol error');
  }

  private readonly onMessage = (data: WebSocket.RawData, isBinary: boolean): void => {
    if (this.state === 'closed') return;
    const counters = this.env.counters;
    counters.messagesIn++;
    if (!isBinary || !Buffer.isBuffer(data)) return this.violation('text frame');
    counters.bytesIn += data.length;
    if (this.state === 'auth') return this.authenticate(data);
    const frame = this.env.codec.decode(data);
    if (frame === undefined) return this.violation(this.env.codec.lastRejection()?.message ?? 'invalid frame');
    this.active = true;
    if (frame instanceof IllFormedTextFrame) return this.env.owner.onIllFormedText(this, frame);
    if (frame[0] === FrameKind.Auth || frame[0] === FrameKind.AuthOk) return this.violation('handshake frame after the handshake');
    this.env.owner.onFrame(this, frame, data.length);
  };

  /**
   * The handshake's last step (docs/protocol.md): check the peer's proof; as
   * acceptor, take an authenticated slot and answer with ours. Only a message
   * of at most HANDSHAKE_MAX_BYTES is decoded here (ws refuses bigger ones).
   */
  private authenticate(data: Buffer): void {
    const kind = this.outbound ? FrameKind.AuthOk : FrameKind.Auth;
    const frame = data.length <= HANDSHAKE_MAX_BYTES ? this.env.codec.decode(data) : undefined;
    const ok = Array.isArray(frame) && frame[0] === kind && proofMatches(this.expectedProof!, frame[3] as Uint8Array);
    const reply = this.replyProof;
    this.expectedProof = this.replyProof = undefined;
    if (!ok) {
      this.env.counters.authFailures++;
      this.env.logger.warn('peer failed authentication', { peer: this.peerId, outbound: this.outbound });
      this.failedAuth = true;
      this.close(CloseCode.policy, 'authentication failed');
      return;
    }
    if (this.slot !== undefined && !this.slot.admit()) {
      this.env.counters.refusedConnections++;
      this.close(CloseCode.tryAgain, 'no connection slot free');
      return;
    }
    setMaxPayload(this.ws, this.env.maxPayloadBytes);
    if (reply !== undefined) this.send(this.env.codec.encode(FrameKind.AuthOk, 0, '', reply));
    this.handshakeTimer?.cancel();
    this.handshakeTimer = undefined;
    this.active = true;
    this.state = 'open';
    this.env.owner.onAuthenticated(this);
  }

  /** Records a pong: RTT as an EWMA (alpha 0.2). */
  private readonly onPong = (): void => {
    if (!this.awaitingPong) return;
    this.awaitingPong = false;
    const sample = this.env.clock.monotonic() - this.pingAt;
    this.rttMs = this.rttMs === undefined ? sample : this.rttMs * 0.8 + sample * 0.2;
  };

  private readonly onWsClose = (code: number, reason: Buffer): void => {
    this.closed(code, reason.toString('utf8'));
  };

  private readonly onWsError = (err: Error): void => {
    // ws closes the socket itself after an error (1009 for an oversize frame, 1002 for bad framing).
    this.env.logger.debug('connection error', { peer: this.peerId, error: err.message });
  };

  private closed(code: number, reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.handshakeTimer?.cancel();
    this.handshakeTimer = undefined;
    this.writer.close();
    this.env.owner.onClosed(this, code, reason);
  }
}
