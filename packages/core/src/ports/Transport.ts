import type { ServiceIdentifier } from 'inversify';
import type { Lifecycle } from './Lifecycle';
import type { NodeId } from './types';

/**
 * A message between nodes. `type` names a handler registered with the
 * kernel's MessageRouter (e.g. 'replica.put'); `payload` is plain data the
 * codec can carry: null, booleans, numbers, strings, Uint8Array, arrays and
 * plain objects of those.
 */
export interface Envelope {
  readonly type: string;
  readonly payload: unknown;
}

/**
 * Handles one inbound message. Resolve with a reply for a request (ignored
 * for a one-way message). A thrown DynamisError is sent back to the
 * requester as that error; anything else becomes an UNAVAILABLE error reply.
 * `body` is present for streams: chunks in order, with flow control.
 */
export type InboundHandler = (from: NodeId, msg: Envelope, body?: AsyncIterable<Uint8Array>) => Promise<Envelope | void>;

export interface RequestOptions {
  /** Reject with TIMEOUT after this long. */
  readonly timeoutMs: number;
}

/**
 * Moves envelopes between nodes; no business logic.
 *
 * Contract (checked by @dynamis/testkit's transportContract):
 * - `request` resolves with the peer's reply, or rejects with the error the
 *   peer's handler threw (same code), TIMEOUT, or UNAVAILABLE (unknown or
 *   unreachable peer). It never resolves twice and never hangs past its timeout.
 * - `request`, `send` and `stream` take what they need of `msg` (an encoding
 *   or a copy) before they return, and refuse a payload that is not plain
 *   data with INVALID_ARGUMENT: the caller may reuse or change `msg` after.
 * - `send` is fire-and-forget: no error reaches the caller; delivery is
 *   best-effort (at most once).
 * - Messages from one sender to one receiver are delivered in order unless
 *   the network (real or simulated) reorders them.
 * - Inbound messages reach the handler only after validation (the kernel's
 *   MessageRouter validates payloads against each type's schema).
 * - `stop()` rejects pending requests with UNAVAILABLE and releases every
 *   socket and timer.
 */
export interface Transport extends Lifecycle {
  readonly self: NodeId;
  /** Installs the inbound handler. Called by the kernel before start(). */
  setHandler(handler: InboundHandler): void;
  /**
   * Tells the transport where a peer listens (an address of its own scheme);
   * a later call replaces it. With a Membership in the node the kernel calls
   * it (PeerAddressSync: every member at start, then on joined/up/joining), so
   * plugins need not. May throw INVALID_ARGUMENT for an address it cannot
   * use; a transport that needs no addresses (the simulated one) ignores it.
   */
  setPeerAddress(peer: NodeId, address: string): void;
  /**
   * Forgets where `peer` listens (PeerAddressSync calls it when Membership
   * forgets a member): no more dials or reconnect attempts to it; a request
   * to it fails UNAVAILABLE unless a connection to it is open, until
   * setPeerAddress again. Open connections are not closed. Unknown peers: no-op.
   */
  forgetPeerAddress(peer: NodeId): void;
  /** The address this node listens on, once started. */
  address(): string | undefined;
  request(to: NodeId, msg: Envelope, options: RequestOptions): Promise<Envelope>;
  send(to: NodeId, msg: Envelope): void;
  /**
   * Sends `msg` followed by the chunks of `body` (bulk transfer: range
   * handoff, anti-entropy), with flow control: the sender reads `body` only
   * as fast as the receiver consumes. Resolves with the handler's reply once
   * the receiver has consumed the whole stream.
   */
  stream(to: NodeId, msg: Envelope, body: AsyncIterable<Uint8Array>, options: RequestOptions): Promise<Envelope>;
}

export const TransportToken: ServiceIdentifier<Transport> = Symbol.for('dynamis.Transport');
