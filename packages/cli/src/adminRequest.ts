import { wsConnector } from '@dynamis/client';
import { ADMIN_MESSAGE, ADMIN_REPLY, adminStatusSchema, ConsoleLogger, DynamisError, SystemClock, type AdminStatus } from '@dynamis/core';
import type { Target } from './connection';

/** One node's answer to `admin.status`, or why there is none. */
export type NodeAnswer =
  | { readonly address: string; readonly reachable: true; readonly status: AdminStatus }
  | { readonly address: string; readonly reachable: false; readonly error: { readonly code: string; readonly message: string } };

/**
 * Asks every node of `target` for its status (core's admin protocol), all at
 * once, each over its own authenticated connection closed afterwards.
 * Never rejects: a node that cannot be reached, refuses the token or answers
 * something malformed is an unreachable answer with the error's code.
 */
export function askStatus(target: Target): Promise<NodeAnswer[]> {
  return Promise.all(target.nodes.map((address) => askOne(target, address)));
}

async function askOne(target: Target, address: string): Promise<NodeAnswer> {
  const connect = wsConnector(
    {
      clientId: target.clientId,
      token: target.token,
      maxPayloadBytes: 4 * 1024 * 1024,
      handshakeTimeoutMs: target.timeoutMs,
      heartbeatIntervalMs: 5000,
      ...(target.tls === undefined ? {} : { tls: target.tls }),
    },
    new SystemClock(),
    new ConsoleLogger('silent'),
  );
  try {
    const link = await connect(address);
    try {
      const reply = await link.request({ type: ADMIN_MESSAGE.status, payload: {} }, target.timeoutMs);
      const parsed = adminStatusSchema.safeParse(reply.payload);
      if (reply.type !== ADMIN_REPLY.status || !parsed.success) {
        throw new DynamisError('PROTOCOL_ERROR', `unexpected reply to ${ADMIN_MESSAGE.status}: ${reply.type}`);
      }
      return { address, reachable: true, status: parsed.data };
    } finally {
      await link.close();
    }
  } catch (err) {
    const code = err instanceof DynamisError ? err.code : 'ERROR';
    return { address, reachable: false, error: { code, message: (err as Error).message } };
  }
}
