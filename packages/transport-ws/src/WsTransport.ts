import {
  DynamisError,
  parseWithSchema,
  type Clock,
  type Envelope,
  type InboundHandler,
  type Logger,
  type NodeId,
  type Random,
  type RequestOptions,
  type Timer,
  type Transport,
} from '@dynamis/core';
import type WebSocket from 'ws';
import { ID_PATTERN } from './auth/handshake';
import { CloseCode, Connection, type ConnectionEnv, type ConnectionInit, type ConnectionOwner } from './conn/Connection';
import { NodeBudget } from './conn/NodeBudget';
import { Counters, type PeerStats, type WsTransportStats } from './Counters';
import { Exchange } from './exchange/Exchange';
import { wsTransportOptionsSchema, type WsTransportOptions, type WsTransportOptionsInput } from './options';
import { formatAddress, normalizeAddress } from './peer/address';
import { dial, REFUSED_BY_PEER } from './peer/dial';
import { PeerLinks } from './peer/PeerLinks';
import { Acceptor } from './server/Acceptor';
import type { Frame } from './wire/frameSchema';
import { FrameCodec, type IllFormedTextFrame } from './wire/FrameCodec';
import { loadTls, type TlsMaterial } from './tls/loadTls';

/** Longest stop() waits for peers to answer our close frames before dropping the sockets. */
const STOP_GRACE_MS = 250;

/**
 * The Transport port over WebSocket (`ws`): authenticated binary frames,
 * request/response, one-way messages and credit-controlled streams, one
 * connection per peer. Wire format and handshake: docs/protocol.md.
 *
 * Beyond the port's contract (see Transport):
 * - Addresses are `ws://host:port`, or `wss://host:port` with the `tls`
 *   option (`setPeerAddress` also takes `host:port`; anything else throws
 *   INVALID_ARGUMENT). `address()` is the bound address. With `tls`, every
 *   peer is dialled over TLS and verified against `tls.ca` (hostname
 *   included); with `tls.mutual`, an inbound node must present a certificate
 *   chaining to `tls.ca` before its HMAC handshake is even checked, and node
 *   ids are bound to certificates: a node's certificate must name its id
 *   (CN), checked by both sides (certificateId.ts).
 * - A request to a peer with no connection dials it and waits (bounded by
 *   maxQueuedBytes and the request's timeout); a failed dial fails it
 *   UNAVAILABLE, as does a peer with no address, a full send queue, or a
 *   peer in reconnect backoff whose next attempt is after the timeout.
 * - A payload must be plain data (see isWireValue) and its frame at most
 *   maxPayloadBytes: otherwise `request`/`stream` reject and `send` throws
 *   INVALID_ARGUMENT. A handler reply that breaks these rules, or no reply,
 *   reaches the requester as INVALID_ARGUMENT / PROTOCOL_ERROR.
 * - Clients (options.clientTokens) reach the handler as `client:<id>`
 *   (clientSenderId in core) and may only send types starting with
 *   clientTypePrefix (else UNAUTHORIZED).
 * - Inbound work is bounded per connection and per node (see Exchange and
 *   SlotTable; README "Limits and attack surface").
 * - A stream's timeout bounds the whole transfer, reply included.
 */
export class WsTransport implements Transport, ConnectionOwner {
  readonly self: NodeId;
  private readonly opts: WsTransportOptions;
  private readonly tls: TlsMaterial | undefined;
  private readonly log: Logger;
  private readonly codec = new FrameCodec();
  private readonly counters = new Counters();
  private readonly exchange: Exchange;
  private readonly links: PeerLinks;
  private readonly connEnv: ConnectionEnv;
  private readonly conns = new Set<Connection>();
  private readonly dialing = new Set<WebSocket>();
  private acceptor: Acceptor | undefined;
  private handler: InboundHandler | undefined;
  private state: 'new' | 'started' | 'stopped' = 'new';
  private bound: string | undefined;
  private timers: Timer[] = [];
  private starting: Promise<void> | undefined;

  /**
   * Throws INVALID_CONFIG for bad options or node id (the message never
   * contains the secret), and for `tls` files that are missing, unreadable,
   * not PEM, expired or whose key does not match (naming the option and path;
   * they are read here, once).
   */
  constructor(
    nodeId: NodeId,
    options: WsTransportOptionsInput,
    private readonly clock: Clock,
    private readonly random: Random,
    logger: Logger,
  ) {
    if (typeof nodeId !== 'string' || !ID_PATTERN.test(nodeId)) {
      throw new DynamisError('INVALID_CONFIG', 'node id must be 1–64 characters of [A-Za-z0-9._-]');
    }
    this.self = nodeId;
    this.opts = parseWithSchema(wsTransportOptionsSchema, options, 'options of @dynamis/transport-ws');
    this.log = logger.child({ component: 'transport-ws', node: nodeId });
    const o = this.opts;
    this.tls = o.tls === undefined ? undefined : loadTls(o.tls, 'options of @dynamis/transport-ws', clock.now());
    const base = { codec: this.codec, counters: this.counters, logger: this.log, clock };
    const budget = new NodeBudget(o.maxNodeRequestBytesInFlight, o.maxNodeQueuedBytes);
    this.connEnv = {
      ...base,
      owner: this,
      highWaterMarkBytes: o.highWaterMarkBytes,
      maxQueuedBytes: o.maxQueuedBytes,
      maxPayloadBytes: o.maxPayloadBytes,
      budget,
    };
    this.exchange = new Exchange({
      ...base,
      self: nodeId,
      maxPayloadBytes: o.maxPayloadBytes,
      streamChunkCredit: o.streamChunkCredit,
      clientTypePrefix: o.clientTypePrefix,
      maxRequestsInFlight: o.maxRequestsInFlight,
      maxRequestBytesInFlight: o.maxRequestBytesInFlight,
      budget,
      handler: () => this.handler,
    });
    this.links = new PeerLinks({
      ...base,
      self: nodeId,
      random,
      exchange: this.exchange,
      reconnect: o.reconnect,
      maxQueuedBytes: o.maxQueuedBytes,
      duplicateGraceMs: o.heartbeatIntervalMs,
      dial: (peer, address) => this.dial(peer, address),
    });
  }

  setHandler(handler: InboundHandler): void {
    this.handler = handler;
  }

  /** Throws INVALID_ARGUMENT for a bad id or address. Takes effect at the next dial. */
  setPeerAddress(peer: NodeId, address: string): void {
    if (typeof peer !== 'string' || !ID_PATTERN.test(peer))
      throw new DynamisError('INVALID_ARGUMENT', `'${String(peer)}' is not a node id`);
    this.links.setAddress(peer, normalizeAddress(address, this.tls !== undefined));
  }

  /** Forgets `peer`'s address: no more dials or reconnect attempts (open connections stay); a no-op for an unknown peer. */
  forgetPeerAddress(peer: NodeId): void {
    this.links.forgetAddress(peer);
  }

  address(): string | undefined {
    return this.state === 'started' ? this.bound : undefined;
  }

  /** Binds host:port and starts heartbeats. Idempotent; allowed again after stop(). Throws UNAVAILABLE if the port cannot be bound. */
  start(): Promise<void> {
    if (this.state === 'started') return Promise.resolve();
    this.starting ??= this.listen().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async listen(): Promise<void> {
    const o = this.opts;
    const acceptor = new Acceptor({
      self: this.self,
      secret: o.secret,
      clientTokens: o.clientTokens,
      slots: o,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      clock: this.clock,
      counters: this.counters,
      logger: this.log,
      tls: this.tls,
      accept: (ws, init) => this.adopt(ws, init, undefined),
    });
    const info = await acceptor.listen(o.host ?? '127.0.0.1', o.port ?? 0);
    this.acceptor = acceptor;
    this.bound = formatAddress(info.address, info.port, this.tls !== undefined);
    this.state = 'started';
    this.links.start();
    this.every(o.heartbeatIntervalMs, this.heartbeat);
    if (o.idleTimeoutMs > 0) this.every(Math.max(10, Math.floor(o.idleTimeoutMs / 4)), this.idleSweep);
    this.log.info('listening', { address: this.bound });
  }

  /** Rejects pending exchanges UNAVAILABLE, closes every connection (1001) and the listener, cancels every timer. Idempotent. */
  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const wasStarted = this.state === 'started';
    this.state = 'stopped';
    for (const t of this.timers) t.cancel();
    this.timers = [];
    const err = new DynamisError('UNAVAILABLE', `transport ${this.self} stopped`);
    this.links.stop(err);
    this.exchange.stop(err);
    for (const ws of this.dialing) ws.terminate();
    this.dialing.clear();
    const sockets = [...this.conns].map((c) => c.ws);
    for (const conn of [...this.conns]) conn.retire(CloseCode.goingAway, 'stopping');
    await this.acceptor?.close();
    this.acceptor = undefined;
    await this.awaitClosed(sockets);
    if (wasStarted) this.log.info('stopped');
  }

  request(to: NodeId, msg: Envelope, options: RequestOptions): Promise<Envelope> {
    return this.open(to, msg, undefined, options);
  }

  stream(to: NodeId, msg: Envelope, body: AsyncIterable<Uint8Array>, options: RequestOptions): Promise<Envelope> {
    if (body === undefined || body === null) return Promise.reject(new DynamisError('INVALID_ARGUMENT', 'a stream needs a body'));
    return this.open(to, msg, body, options);
  }

  /** Best effort; throws INVALID_ARGUMENT only for an envelope the wire cannot carry. Drops (and counts) otherwise. */
  send(to: NodeId, msg: Envelope): void {
    const frame = this.exchange.encodeOneWay(msg);
    if (this.state !== 'started' || !this.links.routeOneWay(to, frame)) this.counters.dropped++;
  }

  /** A snapshot of the counters, gauges and per-peer figures. */
  stats(): WsTransportStats {
    const peers: Record<string, PeerStats> = {};
    let connections = 0;
    for (const c of this.conns) if (c.state === 'open') connections++;
    for (const [id, conn, waiting] of this.links.entries()) {
      const open = conn !== undefined && conn.state === 'open';
      peers[id] = {
        connected: open,
        rttMs: conn?.rttMs,
        bufferedBytes: open ? conn.ws.bufferedAmount : 0,
        queuedBytes: waiting + (conn?.queuedBytes ?? 0),
      };
    }
    return { ...this.counters, inFlight: this.exchange.inFlight, connections, peers };
  }

  /** @internal ConnectionOwner */
  onAuthenticated(conn: Connection): void {
    this.links.attach(conn);
  }

  /** @internal ConnectionOwner */
  onFrame(conn: Connection, frame: Frame, bytes: number): void {
    this.exchange.onFrame(conn, frame, bytes);
  }

  /** @internal ConnectionOwner */
  onIllFormedText(conn: Connection, frame: IllFormedTextFrame): void {
    this.exchange.onIllFormedText(conn, frame);
  }

  /** @internal ConnectionOwner */
  onClosed(conn: Connection, code: number): void {
    this.conns.delete(conn);
    this.exchange.connectionClosed(conn);
    this.links.detach(conn, code);
  }

  private open(to: NodeId, msg: Envelope, body: AsyncIterable<Uint8Array> | undefined, options: RequestOptions): Promise<Envelope> {
    let p;
    try {
      p = this.exchange.open(to, msg, body, options?.timeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.state !== 'started') this.exchange.fail(p, new DynamisError('UNAVAILABLE', `transport ${this.self} is not running`));
    else this.links.route(p);
    return p.promise;
  }

  /** Wraps a WebSocket in its handshake state; one that cannot be wrapped (see Connection) is dropped. */
  private adopt(ws: WebSocket, init: ConnectionInit, timer: Timer | undefined): void {
    let conn: Connection;
    try {
      conn = new Connection(ws, init, this.connEnv);
    } catch (err) {
      timer?.cancel();
      ws.terminate();
      this.log.error('cannot adopt a connection', { peer: init.peerId, error: err instanceof Error ? err.message : String(err) });
      return;
    }
    conn.handshakeTimer = timer;
    this.conns.add(conn);
  }

  private dial(peer: string, url: string): void {
    const o = this.opts;
    const spec = {
      url,
      role: 'node' as const,
      dialerId: this.self,
      key: o.secret,
      expectAcceptorId: peer,
      handshakeTimeoutMs: o.handshakeTimeoutMs,
      tls: this.tls === undefined ? undefined : { ca: this.tls.ca, cert: this.tls.cert, key: this.tls.key },
      bindNodeIds: this.tls?.mutual === true,
    };
    const ws = dial(spec, this.codec, this.clock, {
      opened: (socket, init, timer) => {
        this.dialing.delete(socket);
        this.adopt(socket, init, timer);
      },
      failed: (reason) => {
        this.dialing.delete(ws);
        if (reason.startsWith('TLS:')) this.log.warn('TLS handshake with a peer failed', { peer, address: url, reason });
        else if (reason.startsWith(REFUSED_BY_PEER)) this.log.warn('a peer refused the handshake', { peer, address: url, reason });
        this.links.dialFailed(peer, reason);
      },
    });
    if (ws.readyState !== ws.CLOSED) this.dialing.add(ws);
  }

  private readonly heartbeat = (): void => {
    const now = this.clock.monotonic();
    for (const conn of this.conns) {
      if (conn.ping(now)) continue;
      this.log.warn('peer missed a heartbeat; dropping its connection', { peer: conn.peerId });
      conn.terminate('heartbeat timeout');
    }
  };

  private readonly idleSweep = (): void => {
    for (const conn of this.conns) {
      if (conn.state !== 'open') continue;
      if (conn.active || conn.busy) {
        conn.active = false;
        conn.idleSweeps = 0;
      } else if (++conn.idleSweeps >= 4) {
        conn.retire(CloseCode.normal, 'idle');
      }
    }
  };

  /** Runs `fn` every `ms` until stop(). */
  private every(ms: number, fn: () => void): void {
    const slot = this.timers.length;
    const tick = (): void => {
      if (this.state !== 'started') return;
      fn();
      this.timers[slot] = this.clock.setTimer(ms, tick);
    };
    this.timers[slot] = this.clock.setTimer(ms, tick);
  }

  private async awaitClosed(sockets: WebSocket[]): Promise<void> {
    const open = sockets.filter((ws) => ws.readyState !== ws.CLOSED);
    if (open.length === 0) return;
    const closed = Promise.all(open.map((ws) => new Promise<void>((resolve) => ws.once('close', () => resolve()))));
    await Promise.race([closed, this.clock.sleep(STOP_GRACE_MS)]);
    for (const ws of open) ws.terminate();
  }
}
