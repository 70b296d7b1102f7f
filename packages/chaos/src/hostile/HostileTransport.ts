import type { Envelope, InboundHandler, NodeId, RequestOptions, Transport } from '@dynamis/core';

/**
 * What a compromised node answers to one inbound message type instead of
 * (or around) its honest handler: `honest` is the node's own handler, so an
 * interceptor may call it and then falsify the reply.
 */
export type Interceptor = (
  from: NodeId,
  msg: Envelope,
  honest: InboundHandler,
  body?: AsyncIterable<Uint8Array>,
) => Promise<Envelope | void>;

/** Rewrites one outbound message of the honest node (e.g. its gossip) before it leaves; returns the envelope to send. */
export type OutboundRewrite = (to: NodeId, msg: Envelope) => Envelope;

/**
 * A compromised node: a Transport decorator around the node's real
 * transport (a SimTransport in simulation, a WsTransport over sockets: it
 * has the cluster secret, authenticates with the real handshake and speaks
 * valid framing). The node above it runs honestly; the test turns it
 * hostile per message type:
 *
 * - `intercept(type, fn)`: inbound messages of `type` go to `fn` (with the
 *   honest handler at hand) instead of the node's handler;
 * - `rewrite(type, fn)`: outbound requests and one-way messages of `type`
 *   the node sends are rewritten (its gossip, its pulls);
 * - `inject(to, msg)`: sends any envelope as this node, bypassing the node.
 *
 * Everything else is the inner transport's, unchanged (its contract, its
 * bounds). Counts what it intercepted and rewrote per type (`seen`).
 */
export class HostileTransport implements Transport {
  readonly self: NodeId;
  private honest: InboundHandler | undefined;
  private readonly interceptors = new Map<string, Interceptor>();
  private readonly rewrites = new Map<string, OutboundRewrite>();
  /** Messages intercepted (inbound) or rewritten (outbound), by type. */
  readonly seen = new Map<string, number>();

  constructor(private readonly inner: Transport) {
    this.self = inner.self;
  }

  /** Routes inbound `type` to `fn` from now on (replacing an earlier interceptor of `type`). */
  intercept(type: string, fn: Interceptor): void {
    this.interceptors.set(type, fn);
  }

  /** Rewrites outbound `type` from now on. */
  rewrite(type: string, fn: OutboundRewrite): void {
    this.rewrites.set(type, fn);
  }

  /** Back to honest behaviour for every type. */
  reform(): void {
    this.interceptors.clear();
    this.rewrites.clear();
  }

  /** Sends `msg` to `to` as this node, past the node's own logic; resolves with the reply or rejects with the peer's error. */
  inject(to: NodeId, msg: Envelope, timeoutMs = 10_000): Promise<Envelope> {
    return this.inner.request(to, msg, { timeoutMs });
  }

  /** A one-way `msg` to `to` as this node. */
  injectOneWay(to: NodeId, msg: Envelope): void {
    this.inner.send(to, msg);
  }

  /** A stream to `to` as this node: `body` is read as fast as the receiver consumes. */
  injectStream(to: NodeId, msg: Envelope, body: AsyncIterable<Uint8Array>, timeoutMs = 10_000): Promise<Envelope> {
    return this.inner.stream(to, msg, body, { timeoutMs });
  }

  setHandler(handler: InboundHandler): void {
    this.honest = handler;
    this.inner.setHandler((from, msg, body) => {
      const fn = this.interceptors.get(msg.type);
      if (fn === undefined) return handler(from, msg, body);
      this.count(msg.type);
      return fn(from, msg, handler, body);
    });
  }

  setPeerAddress(peer: NodeId, address: string): void {
    this.inner.setPeerAddress(peer, address);
  }

  forgetPeerAddress(peer: NodeId): void {
    this.inner.forgetPeerAddress(peer);
  }

  address(): string | undefined {
    return this.inner.address();
  }

  request(to: NodeId, msg: Envelope, options: RequestOptions): Promise<Envelope> {
    return this.inner.request(to, this.out(to, msg), options);
  }

  send(to: NodeId, msg: Envelope): void {
    this.inner.send(to, this.out(to, msg));
  }

  stream(to: NodeId, msg: Envelope, body: AsyncIterable<Uint8Array>, options: RequestOptions): Promise<Envelope> {
    return this.inner.stream(to, this.out(to, msg), body, options);
  }

  start(): Promise<void> {
    return this.inner.start();
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }

  /** True once the node installed its handler (it has started composing). */
  get hasHandler(): boolean {
    return this.honest !== undefined;
  }

  private out(to: NodeId, msg: Envelope): Envelope {
    const fn = this.rewrites.get(msg.type);
    if (fn === undefined) return msg;
    this.count(msg.type);
    return fn(to, msg);
  }

  private count(type: string): void {
    this.seen.set(type, (this.seen.get(type) ?? 0) + 1);
  }
}
