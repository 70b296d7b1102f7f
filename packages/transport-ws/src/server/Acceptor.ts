import { clientSenderId, DynamisError, type Clock, type Logger, type Timer } from '@dynamis/core';
import { createServer, type IncomingMessage } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  acceptorProof,
  dialerProof,
  HANDSHAKE_MAX_BYTES,
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
import type { TlsMaterial } from '../tls/loadTls';
import { Slot, SlotTable, type SlotLimits } from './SlotTable';
import { certificateIdMismatch } from '../tls/certificateId';
import { onlyTls, tlsFront, type TlsFront } from './tlsFront';

export interface AcceptorEnv {
  readonly self: string;
  readonly secret: string;
  readonly clientTokens: Readonly<Record<string, string>>;
  readonly slots: SlotLimits;
  readonly handshakeTimeoutMs: number;
  readonly clock: Clock;
  readonly counters: Counters;
  readonly logger: Logger;
  /** Serve TLS (wss) with this material; undefined: plain ws. With `mutual`, a node must present a certificate that chains to `ca`. */
  readonly tls: TlsMaterial | undefined;
  /** A WebSocket passed the upgrade; wrap it in a Connection (state auth). `init.slot` admits it on authentication. */
  accept(ws: WebSocket, init: ConnectionInit): void;
}

/** What the acceptor keeps per inbound TCP connection. */
interface Entry {
  readonly slot: Slot<Socket>;
  /** The handshake timer, until the slot is admitted. */
  timer: Timer | undefined;
}

/** What the upgrade request established, kept until the 101 response is written. */
interface Offer {
  readonly headers: string[];
  readonly init: ConnectionInit;
}

/**
 * The listening side: an HTTP server that upgrades to WebSocket only for a
 * well-formed handshake (docs/protocol.md). Gives each TCP connection a slot
 * (SlotTable: unauthenticated ones are capped in all and per address, the
 * oldest evicted first, and can never lock out authenticated clients and
 * peers), answers a malformed or unauthorised upgrade with an HTTP error
 * before any WebSocket exists, sends its nonce in the 101 response (the
 * proofs are exchanged in the first frames, see Connection; ws accepts at
 * most HANDSHAKE_MAX_BYTES per message until then), and drops any
 * connection not authenticated within handshakeTimeoutMs of its TCP accept.
 * Every refusal, eviction and timeout is counted; no secret or token is ever
 * logged.
 */
export class Acceptor {
  private server: Server | undefined;
  private readonly wss: WebSocketServer;
  private readonly sockets = new Map<Socket, Entry>();
  private readonly slots: SlotTable<Socket>;
  private readonly offers = new WeakMap<IncomingMessage, Offer>();
  /** TLS: finds the raw TCP socket under a TLS socket (entries are keyed by the raw socket, taken at accept). */
  private front: TlsFront | undefined;

  constructor(private readonly env: AcceptorEnv) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: HANDSHAKE_MAX_BYTES,
      perMessageDeflate: false,
      clientTracking: false,
      handleProtocols: () => SUBPROTOCOL,
    });
    this.wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const offer = this.offers.get(req);
      if (offer !== undefined) headers.push(...offer.headers);
    });
    this.slots = new SlotTable<Socket>(env.slots, (slot) => {
      this.env.counters.evictedHandshakes++;
      slot.socket.destroy();
    });
  }

  /**
   * Binds and listens; resolves with the bound address. Throws UNAVAILABLE if
   * the port cannot be bound. With TLS, every TCP connection takes its slot
   * and handshake timer at accept, before the TLS handshake (see tlsFront).
   */
  async listen(host: string, port: number): Promise<AddressInfo> {
    const http = createServer();
    http.on('upgrade', this.onUpgrade);
    http.on('request', (_req, res) => res.writeHead(426, { Connection: 'close' }).end());
    let server: Server = http;
    const tls = this.env.tls;
    if (tls?.cert === undefined || tls.key === undefined) http.on('connection', (socket: Socket) => void this.onConnection(socket));
    else {
      const front = tlsFront(http, { cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.mutual, logger: this.env.logger });
      this.front = front;
      const plainRefused = onlyTls((raw) => front.accept(raw), this.env.logger);
      server = createTcpServer((raw) => {
        if (this.onConnection(raw)) plainRefused(raw);
      });
    }
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
    for (const [socket, entry] of this.sockets) {
      entry.timer?.cancel();
      socket.destroy();
    }
    this.sockets.clear();
    if (server === undefined) return;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Gives the socket a pending slot (or refuses it: false) and starts its handshake timer (cancelled on admission). */
  private readonly onConnection = (socket: Socket): boolean => {
    const slot = this.server === undefined ? undefined : this.slots.add(socket, socket.remoteAddress ?? '');
    if (slot === undefined) {
      this.env.counters.refusedConnections++;
      socket.destroy();
      return false;
    }
    const entry: Entry = { slot, timer: undefined };
    entry.timer = this.env.clock.setTimer(this.env.handshakeTimeoutMs, () => {
      if (slot.state !== 'pending') return; // admitted or gone; this is a late call
      this.env.counters.handshakeTimeouts++;
      socket.destroy();
    });
    this.sockets.set(socket, entry);
    socket.on('close', () => {
      entry.timer?.cancel();
      this.slots.remove(slot);
      this.sockets.delete(socket);
    });
    return true;
  };

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const entry = this.sockets.get(this.front?.rawOf(socket) ?? (socket as Socket));
    const checked = entry === undefined ? 503 : this.check(req, entry);
    if (typeof checked === 'number') {
      this.refuse(socket, checked);
      return;
    }
    this.offers.set(req, checked);
    this.wss.handleUpgrade(req, socket, head, (ws) => this.env.accept(ws, checked.init));
  };

  /** The slot of `entry` authenticated as `role`: admit it (see SlotTable) and stop its handshake timer. */
  private admit(entry: Entry, role: Role): boolean {
    if (!this.slots.admit(entry.slot, role)) return false;
    entry.timer?.cancel();
    entry.timer = undefined;
    return true;
  }

  /** Validates the upgrade request; an HTTP status to refuse with, or the offer. */
  private check(req: IncomingMessage, entry: Entry): Offer | number {
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
    if (role === 'node' && this.env.tls?.mutual === true) {
      const socket = req.socket as TLSSocket;
      if (!socket.authorized) {
        const why = socket.authorizationError === null ? 'no certificate' : String(socket.authorizationError);
        return this.authFailure(401, `node ${id} from ${socket.remoteAddress ?? '?'}: client certificate refused (${why})`);
      }
      const mismatch = certificateIdMismatch(socket.getPeerCertificate(), id);
      if (mismatch !== undefined) return this.authFailure(401, `node ${id} from ${socket.remoteAddress ?? '?'}: ${mismatch}`);
    }
    const key = this.keyFor(role, id);
    const acceptorNonce = newNonce();
    const params: HandshakeParams = { role, dialerId: id, acceptorId: this.env.self, dialerNonce: nonce, acceptorNonce };
    const headers = [`${Header.id}: ${this.env.self}`, `${Header.nonce}: ${acceptorNonce}`];
    const peerId = role === 'client' ? clientSenderId(id) : id;
    const slot = { admit: () => this.admit(entry, role) };
    return {
      headers,
      init: { peerId, role, outbound: false, expectedProof: dialerProof(key, params), replyProof: acceptorProof(key, params), slot },
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
    const text =
      status === 401
        ? 'Unauthorized'
        : status === 409
          ? 'Conflict'
          : status === 421
            ? 'Misdirected Request'
            : status === 503
              ? 'Service Unavailable'
              : 'Bad Request';
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    socket.destroy();
  }
}
