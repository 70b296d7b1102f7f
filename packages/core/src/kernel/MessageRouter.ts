import { injectable, type ServiceIdentifier } from 'inversify';
import type { z } from 'zod';
import { describeZodIssues } from '../config/parseConfig';
import { DynamisError } from '../errors/DynamisError';
import type { Envelope, InboundHandler } from '../ports/Transport';
import type { NodeId } from '../ports/types';
import { parsePayload } from '../wire/fastParse';
import { isClientSender } from './clientSender';

export type MessageHandler<T> = (from: NodeId, payload: T, body?: AsyncIterable<Uint8Array>) => Promise<Envelope | void>;

/** Who may send a message type: other nodes (the default) or clients. */
export type Audience = 'nodes' | 'clients';

interface Route {
  readonly schema: z.ZodType;
  readonly handler: MessageHandler<unknown>;
  readonly owner: string;
  readonly audience: Audience;
}

/**
 * Typed, validated dispatch of inbound messages. Each plugin registers the
 * message types it owns together with a zod schema; `dispatch` (the
 * transport's inbound handler) validates the payload before the handler sees
 * it (through the schema's fast parser when it has one, wire/fastParse.ts). An unknown type or an invalid payload is a PROTOCOL_ERROR thrown back to
 * the sender, never passed on. A type that is declared (see declare) but has
 * no handler right now (its owner has not started yet, or has stopped) is a
 * retryable UNAVAILABLE with details `{ type, from, owner, notStarted: true,
 * applied: false }`: the message reached no handler. Each type has an audience: node-to-node types
 * are refused (UNAUTHORIZED) to clients (see isClientSender), and
 * client types to nodes, so a client can never speak a replica protocol.
 */
@injectable()
export class MessageRouter {
  private readonly routes = new Map<string, Route>();
  /** Declared message types → owner (see declare). */
  private readonly declared = new Map<string, string>();

  /** Registers `type`. Throws INVALID_ARGUMENT if another owner registered it. */
  register<S extends z.ZodType>(
    type: string,
    schema: S,
    handler: MessageHandler<z.output<S>>,
    owner = 'unknown',
    audience: Audience = 'nodes',
  ): void {
    const existing = this.routes.get(type);
    if (existing !== undefined) {
      throw new DynamisError('INVALID_ARGUMENT', `Message type '${type}' is already registered by ${existing.owner}`, {
        details: { type, owner: existing.owner, attemptedBy: owner },
      });
    }
    this.routes.set(type, { schema, handler: handler as MessageHandler<unknown>, owner, audience });
  }

  /**
   * Declares that `owner` serves `types` (from plugin manifests, by the
   * kernel at composition): while a declared type has no handler it is
   * answered UNAVAILABLE `notStarted`, not PROTOCOL_ERROR. Throws
   * INCOMPATIBLE_PLUGIN if another owner declared one of them. Idempotent
   * for the same owner.
   */
  declare(types: readonly string[], owner: string): void {
    for (const type of types) {
      const other = this.declared.get(type);
      if (other !== undefined && other !== owner) {
        throw new DynamisError('INCOMPATIBLE_PLUGIN', `Message type '${type}' is declared by both ${other} and ${owner}`, {
          details: { type, owners: [other, owner] },
        });
      }
    }
    for (const type of types) this.declared.set(type, owner);
  }

  /** Removes `type`'s handler (on plugin stop). A declared type stays declared. */
  unregister(type: string): void {
    this.routes.delete(type);
  }

  /** Whether `type` has a handler now. */
  has(type: string): boolean {
    return this.routes.has(type);
  }

  types(): string[] {
    return [...this.routes.keys()].sort();
  }

  /**
   * The transport's inbound handler. Never throws: every refusal, and a
   * handler's synchronous throw, is a rejection. Not an async function: the
   * handler's own promise is returned as it is (no wrapping promise and no
   * extra ticks per message).
   */
  readonly dispatch: InboundHandler = (from, msg, body) => {
    try {
      const result = this.route(from, msg, body);
      return result instanceof Promise ? result : Promise.resolve(result);
    } catch (err) {
      return Promise.reject(err);
    }
  };

  /** dispatch's checks, then the handler's result; throws the refusals. */
  private route(from: NodeId, msg: Envelope, body: AsyncIterable<Uint8Array> | undefined): Promise<Envelope | void> {
    const route = this.routes.get(msg.type);
    if (route === undefined) {
      const owner = typeof msg.type === 'string' ? this.declared.get(msg.type) : undefined;
      if (owner !== undefined) {
        throw new DynamisError('UNAVAILABLE', `Message type '${msg.type}' is not being served now (${owner} is not started); not applied`, {
          details: { type: msg.type, from, owner, notStarted: true, applied: false },
        });
      }
      throw new DynamisError('PROTOCOL_ERROR', `Unknown message type '${String(msg.type)}'`, { details: { type: msg.type, from } });
    }
    if ((route.audience === 'clients') !== isClientSender(from)) {
      throw new DynamisError('UNAUTHORIZED', `Message type '${msg.type}' is not accepted from ${from}`, {
        details: { type: msg.type, from },
      });
    }
    const parsed = parsePayload(route.schema, msg.payload);
    if (!parsed.success) {
      throw new DynamisError('PROTOCOL_ERROR', `Invalid '${msg.type}' message from ${from}`, {
        details: { type: msg.type, from, problems: describeZodIssues(parsed.error) },
      });
    }
    return route.handler(from, parsed.data, body);
  }
}

export const MessageRouterToken: ServiceIdentifier<MessageRouter> = Symbol.for('dynamis.MessageRouter');
