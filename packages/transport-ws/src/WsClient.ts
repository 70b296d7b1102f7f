import {
  clientSenderId,
  DynamisError,
  parseWithSchema,
  type Clock,
  type Envelope,
  type InboundHandler,
  type Logger,
  type RequestOptions,
  type Timer,
} from '@dynamis/core';
import type WebSocket from 'ws';
import { z } from 'zod';
import { ID_PATTERN } from './auth/handshake';
import { CloseCode, Connection, type ConnectionEnv, type ConnectionOwner } from './conn/Connection';
import { NodeBudget } from './conn/NodeBudget';
import { Counters } from './Counters';
import { Exchange } from './exchange/Exchange';
import { normalizeAddress } from './peer/address';
import { dial } from './peer/dial';
import type { Frame } from './wire/frameSchema';
import { FrameCodec, type IllFormedTextFrame } from './wire/FrameCodec';
import { loadTls } from './tls/loadTls';
import { clientTlsOptionsSchema } from './tls/tlsOptions';

export const wsClientOptionsSchema = z
  .object({
    address: z
      .string()
      .min(1)
      .describe('The node to connect to: ws://host:port, wss://host:port (TLS) or host:port (wss when `tls` is given).'),
    tls: clientTlsOptionsSchema
      .optional()
      .describe("Connect over TLS (wss), verifying the node's certificate against `ca` (a PEM file, read at construction)."),
    clientId: z.string().regex(ID_PATTERN).describe('This client’s id, as registered in the node’s clientTokens.'),
    token: z.string().min(16).describe('This client’s token (the HMAC key; never sent on the wire).'),
    maxPayloadBytes: z
      .number()
      .int()
      .min(65_536)
      .default(4 * 1024 * 1024)
      .describe('Largest message accepted or sent.'),
    handshakeTimeoutMs: z.number().int().positive().default(5000).describe('Longest connect() waits for the handshake.'),
    heartbeatIntervalMs: z
      .number()
      .int()
      .positive()
      .default(5000)
      .describe('Ping period; a node that misses one pong for a period is dropped (requests fail UNAVAILABLE).'),
    highWaterMarkBytes: z
      .number()
      .int()
      .min(65_536)
      .default(1024 * 1024)
      .describe('Socket buffered bytes above which sends are queued.'),
    maxQueuedBytes: z
      .number()
      .int()
      .positive()
      .default(16 * 1024 * 1024)
      .describe('Most bytes queued; beyond it requests fail UNAVAILABLE.'),
    streamChunkCredit: z.number().int().min(1).max(1024).default(16).describe('Credit granted to streams the node sends to this client.'),
  })
  .strict();

export type WsClientOptionsInput = z.input<typeof wsClientOptionsSchema>;

/** Most requests from the node a client handles at once (nodes rarely send any); more are refused UNAVAILABLE. */
const CLIENT_MAX_SERVING = 16;

/**
 * A client's connection to one node (role `client`, docs/protocol.md): token
 * authentication by HMAC challenge-response, then requests and one-way
 * messages whose types must start with the node's clientTypePrefix. The node
 * sees them from `client:<clientId>`. No reconnect: after a loss, requests
 * fail UNAVAILABLE and the owner connects again (or to another node).
 */
export class WsClient implements ConnectionOwner {
  private readonly opts: z.output<typeof wsClientOptionsSchema>;
  private readonly ca: Buffer | undefined;
  private readonly codec = new FrameCodec();
  private readonly counters = new Counters();
  private readonly exchange: Exchange;
  private readonly connEnv: ConnectionEnv;
  private conn: Connection | undefined;
  private handler: InboundHandler | undefined;
  private heartbeat: Timer | undefined;
  private dialing: WebSocket | undefined;
  private connecting: { resolve(): void; reject(err: unknown): void } | undefined;

  /** Throws INVALID_CONFIG for bad options (never echoing the token) or an unreadable / non-PEM `tls.ca` (naming it and its path). */
  constructor(
    options: WsClientOptionsInput,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.opts = parseWithSchema(wsClientOptionsSchema, options, 'WsClient options');
    const o = this.opts;
    this.ca = o.tls === undefined ? undefined : loadTls(o.tls, 'WsClient options', clock.now()).ca;
    const base = { codec: this.codec, counters: this.counters, logger, clock };
    // One connection: the node-wide budgets are the connection's own bounds.
    const budget = new NodeBudget(o.maxPayloadBytes, o.maxQueuedBytes);
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
      self: clientSenderId(o.clientId),
      maxPayloadBytes: o.maxPayloadBytes,
      streamChunkCredit: o.streamChunkCredit,
      clientTypePrefix: '',
      maxRequestsInFlight: CLIENT_MAX_SERVING,
      maxRequestBytesInFlight: o.maxPayloadBytes,
      budget,
      handler: () => this.handler,
    });
  }

  /** The node's id once connected. */
  get server(): string | undefined {
    return this.conn?.state === 'open' ? this.conn.peerId : undefined;
  }

  /** Handles requests the node sends to this client (optional; without one they fail UNAVAILABLE). */
  setHandler(handler: InboundHandler): void {
    this.handler = handler;
  }

  /**
   * Connects and authenticates. Rejects UNAVAILABLE (unreachable, timeout, or
   * a TLS failure: its message starts `cannot connect to <address>: TLS:` and
   * names OpenSSL's reason, e.g. an untrusted certificate) or UNAUTHORIZED
   * (token refused).
   */
  connect(): Promise<void> {
    if (this.conn !== undefined && this.conn.state !== 'closed')
      return Promise.reject(new DynamisError('INVALID_ARGUMENT', 'already connected'));
    const o = this.opts;
    const url = normalizeAddress(o.address, o.tls !== undefined);
    return new Promise<void>((resolve, reject) => {
      this.connecting = { resolve, reject };
      const spec = {
        url,
        role: 'client' as const,
        dialerId: o.clientId,
        key: o.token,
        expectAcceptorId: undefined,
        handshakeTimeoutMs: o.handshakeTimeoutMs,
        tls: this.ca === undefined ? undefined : { ca: this.ca },
      };
      this.dialing = dial(spec, this.codec, this.clock, {
        opened: (ws, init, timer) => {
          this.dialing = undefined;
          try {
            this.conn = new Connection(ws, init, this.connEnv);
          } catch (err) {
            timer.cancel();
            ws.terminate();
            this.settleConnect(new DynamisError('UNAVAILABLE', `cannot connect to ${o.address}`, { cause: err }));
            return;
          }
          this.conn.handshakeTimer = timer;
        },
        failed: (reason) => {
          this.dialing = undefined;
          this.settleConnect(new DynamisError('UNAVAILABLE', `cannot connect to ${o.address}: ${reason}`));
        },
      });
    });
  }

  request(msg: Envelope, options: RequestOptions): Promise<Envelope> {
    let p;
    try {
      p = this.exchange.open(this.server ?? '(node)', msg, undefined, options?.timeoutMs);
    } catch (err) {
      return Promise.reject(err);
    }
    if (this.conn?.state === 'open') this.exchange.start(p, this.conn);
    else this.exchange.fail(p, new DynamisError('UNAVAILABLE', 'not connected'));
    return p.promise;
  }

  /** Best effort; throws INVALID_ARGUMENT for an envelope the wire cannot carry. */
  send(msg: Envelope): void {
    const frame = this.exchange.encodeOneWay(msg);
    if (this.conn?.state !== 'open' || !this.conn.trySend(frame)) this.counters.dropped++;
  }

  /** Closes the connection (1000), or abandons a connect() in progress; pending requests fail UNAVAILABLE. Idempotent. */
  async close(): Promise<void> {
    this.heartbeat?.cancel();
    this.heartbeat = undefined;
    this.dialing?.terminate();
    this.conn?.retire(CloseCode.normal, 'client closing');
    this.exchange.stop(new DynamisError('UNAVAILABLE', 'client closed'));
  }

  /** Counters (same meaning as WsTransport's). */
  stats(): Readonly<Counters> & { inFlight: number } {
    return { ...this.counters, inFlight: this.exchange.inFlight };
  }

  /** @internal */
  onAuthenticated(): void {
    this.settleConnect(undefined);
    this.scheduleHeartbeat();
  }

  /** @internal */
  onFrame(conn: Connection, frame: Frame, bytes: number): void {
    this.exchange.onFrame(conn, frame, bytes);
  }

  /** @internal */
  onIllFormedText(conn: Connection, frame: IllFormedTextFrame): void {
    this.exchange.onIllFormedText(conn, frame);
  }

  /** @internal */
  onClosed(conn: Connection, code: number, reason: string): void {
    this.exchange.connectionClosed(conn);
    const err = conn.failedAuth
      ? new DynamisError('UNAUTHORIZED', `the node at ${this.opts.address} could not prove it knows this client's token`)
      : code === CloseCode.policy
        ? new DynamisError('UNAUTHORIZED', `node refused the client: ${reason}`)
        : new DynamisError('UNAVAILABLE', `connection closed (${code})`);
    this.settleConnect(err);
  }

  private settleConnect(err: DynamisError | undefined): void {
    const c = this.connecting;
    this.connecting = undefined;
    if (err === undefined) c?.resolve();
    else c?.reject(err);
  }

  private scheduleHeartbeat(): void {
    this.heartbeat = this.clock.setTimer(this.opts.heartbeatIntervalMs, () => {
      const conn = this.conn;
      if (conn === undefined || conn.state !== 'open') return;
      if (!conn.ping(this.clock.monotonic())) {
        this.logger.warn('node missed a heartbeat; dropping the connection', { node: conn.peerId });
        conn.terminate('heartbeat timeout');
        return;
      }
      this.scheduleHeartbeat();
    });
  }
}
