import { DynamisError, type Clock, type Logger, type Timer } from '@dynamis/core';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  acceptorProof,
  dialerProof,
  Header,
  ID_PATTERN,
  isNonce,
  newNonce,
  SUBPROTOCOL,
  type HandshakeParams,
  type Role,
} from '../auth/handshake';
import type { ConnectionInit } from '../conn/Connection';
import type { Counters } from '../Counters';

export interface AcceptorEnv {
  readonly self: string;
  readonly secret: string;
  readonly clientTokens: Readonly<Record<string, string>>;
  readonly maxConnections: number;
  readonly handshakeTimeoutMs: number;
  readonly maxPayloadBytes: number;
  readonly clock: Clock;
  readonly counters: Counters;
  readonly logger: Logger;
  /** A WebSocket passed the upgrade; wrap it in a Connection (state auth) owning `handshakeTimer`. */
  accept(ws: WebSocket, init: ConnectionInit, handshakeTimer: Timer | undefined): void;
}

/** What the upgrade request established, kept until the 101 response is written. */
interface Offer {
  readonly headers: string[];
  readonly init: ConnectionInit;
}

/**
 * The listening side: an HTTP server that upgrades to WebSocket only for a
 * well-formed handshake (docs/protocol.md). Refuses excess TCP connections
 * (maxConnections), answers a malformed or unauthorised upgrade with an HTTP
 * error before any WebSocket exists, sends its nonce in the 101 response
 * (the proofs are exchanged in the first frames, see Connection), and drops any connection not authenticated within
 * handshakeTimeoutMs of its TCP accept (counted). Every refusal is counted;
 * no secret or token is ever logged.
 */
export class Acceptor {
  private server: Server | undefined;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Map<Socket, Timer | undefined>();
  private readonly offers = new WeakMap<IncomingMessage, Offer>();

  constructor(private readonly env: AcceptorEnv) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: env.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: () => SUBPROTOCOL,
    });
    this.wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const offer = this.offers.get(req);
      if (offer !== undefined) headers.push(...offer.headers);
    });
  }

  /** Binds and listens; resolves with the bound address. Throws UNAVAILABLE if the port cannot be bound. */
  async listen(host: string, port: number): Promise<AddressInfo> {
    const server = createServer();
    server.on('connection', this.onConnection);
    server.on('upgrade', this.onUpgrade);
    server.on('request', (_req, res) => res.writeHead(426, { Connection: 'close' }).end());
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err) =>
        reject(new DynamisError('UNAVAILABLE', `cannot listen on ${host}:${port}: ${err.message}`, { cause: err })),
      );
      server.listen(port, host, () => resolve());
    });
    return server.address() as AddressInfo;
  }

  /** Stops listening and destroys every inbound socket still open. Idempotent. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const [socket, timer] of this.sockets) {
      timer?.cancel();
      socket.destroy();
    }
    this.sockets.clear();
    if (server === undefined) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Counts the socket against maxConnections and starts its handshake timer (cancelled on authentication). */
  private readonly onConnection = (socket: Socket): void => {
    if (this.sockets.size >= this.env.maxConnections || this.server === undefined) {
      this.env.counters.refusedConnections++;
      socket.destroy();
      return;
    }
    const timer = this.env.clock.setTimer(this.env.handshakeTimeoutMs, () => {
      if (!this.sockets.has(socket)) return; // cancelled on authentication; this is a late call
      this.env.counters.handshakeTimeouts++;
      socket.destroy();
    });
    this.sockets.set(socket, timer);
    socket.on('close', () => {
      this.sockets.get(socket)?.cancel();
      this.sockets.delete(socket);
    });
  };

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const checked = this.check(req);
    if (typeof checked === 'number') {
      this.refuse(socket, checked);
      return;
    }
    this.offers.set(req, checked);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const timer = this.sockets.get(socket as Socket);
      // The Connection owns the timer from now on; the socket entry stays for the count.
      if (this.sockets.has(socket as Socket)) this.sockets.set(socket as Socket, undefined);
      this.env.accept(ws, checked.init, timer);
    });
  };

  /** Validates the upgrade request; an HTTP status to refuse with, or the offer. */
  private check(req: IncomingMessage): Offer | number {
    const h = req.headers;
    const protocols = (h['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
    if (!protocols.includes(SUBPROTOCOL)) return 400;
    const role = h[Header.role] as Role | undefined;
    const id = h[Header.id];
    const nonce = h[Header.nonce];
    if ((role !== 'node' && role !== 'client') || typeof id !== 'string' || !ID_PATTERN.test(id) || !isNonce(nonce))
      return this.authFailure(401, 'bad handshake headers');
    const expect = h[Header.expect];
    if (expect !== undefined && expect !== this.env.self) return 421;
    if (role === 'node' && id === this.env.self) return this.authFailure(409, 'a peer claims this node id');
    const key = this.keyFor(role, id);
    const acceptorNonce = newNonce();
    const params: HandshakeParams = { role, dialerId: id, acceptorId: this.env.self, dialerNonce: nonce, acceptorNonce };
    const headers = [`${Header.id}: ${this.env.self}`, `${Header.nonce}: ${acceptorNonce}`];
    const peerId = role === 'client' ? `client:${id}` : id;
    return {
      headers,
      init: { peerId, role, outbound: false, expectedProof: dialerProof(key, params), replyProof: acceptorProof(key, params) },
    };
  }

  /** The HMAC key for `id`: the cluster secret, a client's token, or for an unknown client a throwaway key (it fails like a wrong token). */
  private keyFor(role: Role, id: string): string {
    if (role === 'node') return this.env.secret;
    const token = Object.prototype.hasOwnProperty.call(this.env.clientTokens, id) ? this.env.clientTokens[id] : undefined;
    return token ?? newNonce();
  }

  private authFailure(status: number, reason: string): number {
    this.env.counters.authFailures++;
    this.env.logger.warn('handshake refused', { reason });
    return status;
  }

  private refuse(socket: Duplex, status: number): void {
    const text = status === 401 ? 'Unauthorized' : status === 409 ? 'Conflict' : status === 421 ? 'Misdirected Request' : 'Bad Request';
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }
}
