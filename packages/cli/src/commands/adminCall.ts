import { wsConnector } from '@dynamis/client';
import { ConsoleLogger, DynamisError, SystemClock } from '@dynamis/core';
import type { z } from 'zod';
import type { Target } from '../connection';

/** Codes after which the next node of the target is tried (the node could not answer). */
const TRY_NEXT = new Set(['UNAVAILABLE', 'TIMEOUT', 'PROTOCOL_ERROR']);

/**
 * Sends one admin request (core's admin protocol) to the first node of
 * `target` that answers, over its own authenticated connection closed
 * afterwards, and parses the reply with `schema` (PROTOCOL_ERROR if it does
 * not match). A node that cannot be reached or times out passes to the next
 * one; any other error (UNAUTHORIZED, MISSING_PROVIDER, INVALID_ARGUMENT...)
 * is thrown at once. When no node answered: the last error. Resolves with
 * the answering node's address and the parsed reply.
 */
export async function adminCall<S extends z.ZodType>(
  target: Target,
  request: { type: string; payload: object; replyType: string; timeoutMs?: number },
  schema: S,
): Promise<{ address: string; reply: z.output<S> }> {
  let last: unknown;
  for (const address of target.nodes) {
    try {
      return { address, reply: await callOne(target, address, request, schema) };
    } catch (err) {
      if (!(err instanceof DynamisError) || !TRY_NEXT.has(err.code)) throw err;
      last = err;
    }
  }
  throw last ?? new DynamisError('INVALID_ARGUMENT', 'no node to ask');
}

async function callOne<S extends z.ZodType>(
  target: Target,
  address: string,
  request: { type: string; payload: object; replyType: string; timeoutMs?: number },
  schema: S,
): Promise<z.output<S>> {
  const connect = wsConnector(
    {
      clientId: target.clientId,
      token: target.token,
      maxPayloadBytes: 4 * 1024 * 1024,
      handshakeTimeoutMs: target.timeoutMs,
      heartbeatIntervalMs: 5000,
    },
    new SystemClock(),
    new ConsoleLogger('silent'),
  );
  const link = await connect(address);
  try {
    const reply = await link.request({ type: request.type, payload: request.payload }, request.timeoutMs ?? target.timeoutMs);
    const parsed = schema.safeParse(reply.payload);
    if (reply.type !== request.replyType || !parsed.success) {
      throw new DynamisError('PROTOCOL_ERROR', `${address} sent an unexpected reply to ${request.type}: ${reply.type}`);
    }
    return parsed.data;
  } finally {
    await link.close();
  }
}
