import { DynamisError, type Clock, type Logger, type Random, type Timer } from '@dynamis/core';
import { CloseCode, type Connection } from '../conn/Connection';
import type { Counters } from '../Counters';
import type { Exchange } from '../exchange/Exchange';
import type { Pending } from '../exchange/Pending';
import { backoffDelay } from './backoff';

export interface PeerLinksEnv {
  readonly self: string;
  readonly clock: Clock;
  readonly random: Random;
  readonly logger: Logger;
  readonly counters: Counters;
  readonly exchange: Exchange;
  readonly reconnect: { readonly initialMs: number; readonly maxMs: number };
  readonly maxQueuedBytes: number;
  /** How long a superseded duplicate connection lingers before its dialer closes it. */
  readonly duplicateGraceMs: number;
  /** Starts dialling `peer`; the outcome arrives as `attach` or `dialFailed`. */
  dial(peer: string, address: string): void;
}

/** One peer: its address, its connections, and what waits for one. */
class Peer {
  address: string | undefined;
  readonly conns: Connection[] = [];
  active: Connection | undefined;
  dialing = false;
  attempt = 0;
  retryTimer: Timer | undefined;
  retryAt = 0;
  /** An established connection was lost: the next success counts as a reconnect. */
  lost = false;
  waiting: Array<Pending | Buffer> = [];
  waitingBytes = 0;
  constructor(readonly id: string) {}
}

/**
 * Connection management per peer: one active connection reused by every
 * exchange in both directions; dialling on demand; reconnecting with capped,
 * jittered exponential backoff after a loss; and, when both sides dialled,
 * the connection dialled by the lower node id wins (the other drains, then
 * its dialer closes it). Exchanges that find no connection wait for the dial
 * in a bounded queue (maxQueuedBytes) and fail UNAVAILABLE if it fails.
 */
export class PeerLinks {
  private readonly peers = new Map<string, Peer>();
  private running = false;

  constructor(private readonly env: PeerLinksEnv) {}

  start(): void {
    this.running = true;
  }

  /** Remembers where `peer` listens; used by the next dial. */
  setAddress(peer: string, address: string): void {
    this.peer(peer).address = address;
  }

  /** Forgets where `peer` listens: its reconnect timer is cancelled and, once idle and not dialling, the peer itself. */
  forgetAddress(peerId: string): void {
    const peer = this.peers.get(peerId);
    if (peer === undefined) return;
    peer.address = undefined;
    peer.retryTimer?.cancel();
    peer.retryTimer = undefined;
    if (!peer.dialing) this.forgetIfIdle(peer);
  }

  /** The connection new exchanges to `peer` use, if any. */
  active(peer: string): Connection | undefined {
    return this.peers.get(peer)?.active;
  }

  /** Every peer with its active connection and bytes waiting for one (for stats). */
  *entries(): Iterable<[string, Connection | undefined, number]> {
    for (const p of this.peers.values()) yield [p.id, p.active, p.waitingBytes];
  }

  /** Starts `p` on the peer's connection, or queues it for a dial, or fails it UNAVAILABLE. */
  route(p: Pending): void {
    const peer = this.peers.get(p.to);
    if (peer?.active !== undefined) return this.env.exchange.start(p, peer.active);
    const problem = this.admit(p.to, peer, p.frame!.length, p.timeoutMs);
    if (problem !== undefined) return this.env.exchange.fail(p, new DynamisError('UNAVAILABLE', problem, { details: { peer: p.to } }));
    this.enqueue(peer!, p, p.frame!.length);
  }

  /** Sends a one-way frame like `route`; false if it was dropped. */
  routeOneWay(to: string, frame: Buffer): boolean {
    const peer = this.peers.get(to);
    if (peer?.active !== undefined) return peer.active.trySend(frame);
    if (this.admit(to, peer, frame.length, Infinity) !== undefined) return false;
    this.enqueue(peer!, frame, frame.length);
    return true;
  }

  /** A connection completed its handshake. */
  attach(conn: Connection): void {
    const peer = this.peer(conn.peerId);
    peer.conns.push(conn);
    if (conn.outbound) peer.dialing = false;
    if (peer.lost) this.env.counters.reconnects++;
    peer.lost = false;
    peer.attempt = 0;
    peer.retryTimer?.cancel();
    peer.retryTimer = undefined;
    const current = peer.active;
    if (current === undefined || conn.role === 'client') peer.active = conn;
    else if (!this.preferred(current) && this.preferred(conn)) {
      peer.active = conn;
      this.supersede(current);
    } else this.supersede(conn);
    this.flush(peer);
  }

  /** A connection closed (or an outbound one failed before its handshake). */
  detach(conn: Connection, code: number): void {
    const peer = this.peers.get(conn.peerId);
    if (peer === undefined) return;
    const i = peer.conns.indexOf(conn);
    if (i < 0) {
      if (conn.outbound && peer.dialing) this.dialFailed(peer.id, `handshake with ${peer.id} failed (close ${code})`);
      return;
    }
    peer.conns.splice(i, 1);
    if (peer.active !== conn) return;
    peer.active = peer.conns.find((c) => this.preferred(c)) ?? peer.conns[0];
    if (peer.active !== undefined) {
      peer.active.draining = false;
      return;
    }
    if (conn.role === 'client') return this.forgetIfIdle(peer);
    const remoteIdle = !conn.closeExpected && code === CloseCode.normal;
    if (conn.closeExpected || remoteIdle || peer.address === undefined) return;
    peer.lost = true;
    this.env.logger.info('connection lost', { peer: peer.id, code });
    this.scheduleRetry(peer);
  }

  /** A dial failed before authentication: waiting exchanges fail UNAVAILABLE, a retry is scheduled. */
  dialFailed(peerId: string, reason: string): void {
    const peer = this.peers.get(peerId);
    if (peer === undefined || !peer.dialing) return;
    peer.dialing = false;
    this.failWaiting(peer, new DynamisError('UNAVAILABLE', `cannot reach ${peerId}: ${reason}`, { details: { peer: peerId } }));
    peer.attempt++;
    this.env.logger.debug('dial failed', { peer: peerId, reason, attempt: peer.attempt });
    if (peer.active !== undefined) return;
    if (peer.address === undefined) this.forgetIfIdle(peer);
    else this.scheduleRetry(peer);
  }

  /** Cancels retries and fails everything waiting (transport stop). Connections are closed by the owner. */
  stop(err: DynamisError): void {
    this.running = false;
    for (const peer of this.peers.values()) {
      peer.retryTimer?.cancel();
      peer.retryTimer = undefined;
      peer.dialing = false;
      this.failWaiting(peer, err);
    }
  }

  /** The connection dialled by the lower node id wins a duplicate pair. */
  private preferred(conn: Connection): boolean {
    return conn.outbound === this.env.self < conn.peerId;
  }

  private supersede(conn: Connection): void {
    conn.draining = true;
    this.env.logger.debug('duplicate connection superseded', { peer: conn.peerId, outbound: conn.outbound });
    if (!conn.outbound) return; // its dialer closes it
    const check = (): void => {
      if (conn.state === 'closed' || !conn.draining) return;
      if (conn.busy) this.env.clock.setTimer(this.env.duplicateGraceMs, check);
      else conn.retire(CloseCode.normal, 'duplicate connection');
    };
    this.env.clock.setTimer(this.env.duplicateGraceMs, check);
  }

  /** Why an exchange cannot wait for a connection to `peer`, or undefined if it can. */
  private admit(id: string, peer: Peer | undefined, bytes: number, timeoutMs: number): string | undefined {
    if (!this.running) return 'transport is not running';
    if (peer === undefined || peer.address === undefined) return `unknown peer ${id} (no address and no connection)`;
    if (peer.waitingBytes + bytes > this.env.maxQueuedBytes) return `too much queued for ${peer.id} while connecting`;
    if (peer.dialing) return undefined;
    if (peer.retryTimer !== undefined) {
      const wait = peer.retryAt - this.env.clock.monotonic();
      if (wait > timeoutMs) return `${peer.id} is unreachable; next attempt in ${Math.round(wait)} ms`;
      return undefined;
    }
    this.dial(peer);
    return undefined;
  }

  private enqueue(peer: Peer, item: Pending | Buffer, bytes: number): void {
    peer.waiting.push(item);
    peer.waitingBytes += bytes;
  }

  private flush(peer: Peer): void {
    const conn = peer.active!;
    const waiting = peer.waiting;
    peer.waiting = [];
    peer.waitingBytes = 0;
    for (const item of waiting) {
      if (Buffer.isBuffer(item)) {
        if (!conn.trySend(item)) this.env.counters.dropped++;
      } else if (!item.settled) this.env.exchange.start(item, conn);
    }
  }

  private failWaiting(peer: Peer, err: DynamisError): void {
    const waiting = peer.waiting;
    peer.waiting = [];
    peer.waitingBytes = 0;
    for (const item of waiting) {
      if (Buffer.isBuffer(item)) this.env.counters.dropped++;
      else this.env.exchange.fail(item, err);
    }
  }

  private dial(peer: Peer): void {
    if (!this.running || peer.dialing || peer.address === undefined) return;
    peer.dialing = true;
    this.env.dial(peer.id, peer.address);
  }

  private scheduleRetry(peer: Peer): void {
    if (!this.running || peer.retryTimer !== undefined || peer.dialing) return;
    const delay = backoffDelay(peer.attempt, this.env.reconnect.initialMs, this.env.reconnect.maxMs, this.env.random);
    peer.retryAt = this.env.clock.monotonic() + delay;
    peer.retryTimer = this.env.clock.setTimer(delay, () => {
      peer.retryTimer = undefined;
      if (peer.active !== undefined) return;
      this.env.counters.reconnectAttempts++;
      this.dial(peer);
    });
  }

  private forgetIfIdle(peer: Peer): void {
    if (peer.conns.length === 0 && peer.waiting.length === 0) this.peers.delete(peer.id);
  }

  private peer(id: string): Peer {
    let peer = this.peers.get(id);
    if (peer === undefined) {
      peer = new Peer(id);
      this.peers.set(id, peer);
    }
    return peer;
  }
}
