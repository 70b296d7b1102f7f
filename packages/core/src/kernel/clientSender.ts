/**
 * What marks an inbound message as coming from a client rather than from
 * another node: its sender id starts with CLIENT_SENDER_PREFIX. This is an
 * authentication boundary: only a transport that authenticated the sender
 * as a client (by its token) may name it so (see clientSenderId), and the
 * kernel's router refuses node-to-node message types from such senders and
 * client types from everyone else. Node ids can never take this form (they
 * are [A-Za-z0-9._-]{1,64}: no colon).
 */
export const CLIENT_SENDER_PREFIX = 'client:';

/** True if `from` names a client (see CLIENT_SENDER_PREFIX). */
export function isClientSender(from: string): boolean {
  return typeof from === 'string' && from.startsWith(CLIENT_SENDER_PREFIX);
}

/** The sender id of the authenticated client `clientId`, as handlers see it. */
export function clientSenderId(clientId: string): string {
  return CLIENT_SENDER_PREFIX + clientId;
}
