import { inject, injectable, optional, type ServiceIdentifier } from 'inversify';
import type { z } from 'zod';
import { describeZodIssues } from '../config/parseConfig';
import { ConfigToken } from '../config/parseConfig';
import type { DynamisConfig } from '../config/schema';
import { DynamisError } from '../errors/DynamisError';
import { ClockToken, type Clock } from '../ports/Clock';
import { TransportToken, type Envelope, type Transport } from '../ports/Transport';
import type { NodeId } from '../ports/types';
import { checkEnvelope, copyEnvelope, requireReply } from '../wire/envelope';
import { parsePayload } from '../wire/fastParse';
import { fromWireError, toWireError } from '../wire/wireError';
import { MessageRouter, MessageRouterToken } from './MessageRouter';

export interface PeerCallOptions<S extends z.ZodType> {
  /** The reply payload must parse with this schema (else PROTOCOL_ERROR); the call resolves with the parsed value. */
  readonly replySchema: S;
  /** When set, the reply envelope's type must equal it (else PROTOCOL_ERROR). */
  readonly replyType?: string;
  /** Deadline of the whole call, on the node's Clock (default timeouts.requestMs). */
  readonly timeoutMs?: number;
}

/**
 * The kernel's one path for node-to-node requests (docs/protocol.md, "Peer
 * RPC"). `call(to, type, payload, { replySchema, timeoutMs })`:
 *
 * - to another node: `Transport.request` with the envelope as given, after
 *   checkEnvelope (INVALID_ARGUMENT); not copied, since every transport
 *   encodes or copies a request before `request` returns (WsTransport
 *   encodes it, SimTransport copies it); to this node (`to === nodeId`):
 *   the local MessageRouter, with the wire's semantics exactly — the request
 *   and the reply are copied as the wire copies them (copyEnvelope), the
 *   router checks audience and the type's request schema, a handler that
 *   returns nothing is PROTOCOL_ERROR (requireReply), and whatever it throws
 *   goes through toWireError/fromWireError, so a local failure has the same
 *   code, message and details as a remote one (a non-DynamisError becomes
 *   UNAVAILABLE). No transport is involved, so a call to self works whether
 *   or not the transport accepts a request to its own id.
 * - Either way the reply payload is parsed with `replySchema`; a mismatch is
 *   PROTOCOL_ERROR naming the peer and the problems.
 * - Deadline: rejects TIMEOUT after `timeoutMs` on the Clock port (virtual
 *   time in simulation). The remote transport gets the same timeout. A late
 *   reply is dropped; the handler is not cancelled (it may still apply).
 * - Errors: INVALID_ARGUMENT (payload the wire cannot carry, bad timeout),
 *   UNAVAILABLE (no Transport in this node and `to` is another node; peer
 *   unreachable; message type not started there), TIMEOUT, PROTOCOL_ERROR,
 *   or the code the peer's handler threw. Never resolves twice.
 */
@injectable()
export class PeerRpc {
  constructor(
    @inject(ConfigToken) private readonly config: DynamisConfig,
    @inject(MessageRouterToken) private readonly router: MessageRouter,
    @inject(ClockToken) private readonly clock: Clock,
    @inject(TransportToken) @optional() private readonly transport: Transport | undefined,
  ) {}

  /** This node's id (the `to` that dispatches locally). */
  get self(): NodeId {
    return this.config.nodeId;
  }

  async call<S extends z.ZodType>(to: NodeId, type: string, payload: unknown, options: PeerCallOptions<S>): Promise<z.output<S>> {
    const timeoutMs = options.timeoutMs ?? this.config.timeouts.requestMs;
    if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs)) {
      throw new DynamisError('INVALID_ARGUMENT', `timeoutMs must be a positive number, got ${String(timeoutMs)}`);
    }
    // To self the copy is the wire's semantics; to a peer the transport encodes (or copies) the envelope before
    // `request` returns (WsTransport, SimTransport), so a copy here would be thrown away: checked only.
    const msg: Envelope = { type, payload };
    if (to !== this.self) checkEnvelope(msg);
    const reply = await this.withDeadline(
      to === this.self ? this.local(copyEnvelope(msg)) : this.remote(to, msg, timeoutMs),
      to,
      type,
      timeoutMs,
    );
    if (options.replyType !== undefined && reply.type !== options.replyType) {
      throw new DynamisError('PROTOCOL_ERROR', `'${type}' to ${to} was answered '${reply.type}', expected '${options.replyType}'`, {
        details: { peer: to, type, replyType: reply.type },
      });
    }
    const parsed = parsePayload(options.replySchema, reply.payload);
    if (!parsed.success) {
      throw new DynamisError('PROTOCOL_ERROR', `Invalid reply to '${type}' from ${to}`, {
        details: { peer: to, type, problems: describeZodIssues(parsed.error) },
      });
    }
    return parsed.data;
  }

  private remote(to: NodeId, request: Envelope, timeoutMs: number): Promise<Envelope> {
    if (this.transport === undefined) {
      return Promise.reject(
        new DynamisError('UNAVAILABLE', `node ${this.self} has no Transport; cannot reach ${to}`, {
          details: { peer: to, sent: false },
        }),
      );
    }
    return this.transport.request(to, request, { timeoutMs });
  }

  /** The local dispatch, with the wire's copy, reply and error rules. */
  private async local(request: Envelope): Promise<Envelope> {
    try {
      const result = requireReply(await this.router.dispatch(this.self, request), request.type, this.self);
      return copyEnvelope(result);
    } catch (err) {
      throw fromWireError(toWireError(err, `handler for '${request.type}' on ${this.self} failed`));
    }
  }

  private withDeadline(work: Promise<Envelope>, to: NodeId, type: string, ms: number): Promise<Envelope> {
    return new Promise<Envelope>((resolve, reject) => {
      const timer = this.clock.setTimer(ms, () =>
        reject(new DynamisError('TIMEOUT', `'${type}' to ${to} timed out after ${ms} ms`, { details: { peer: to, type, ms } })),
      );
      work.then(
        (reply) => {
          timer.cancel();
          resolve(reply);
        },
        (err: unknown) => {
          timer.cancel();
          reject(err);
        },
      );
    });
  }
}

export const PeerRpcToken: ServiceIdentifier<PeerRpc> = Symbol.for('dynamis.PeerRpc');
