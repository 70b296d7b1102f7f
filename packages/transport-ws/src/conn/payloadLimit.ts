import { DynamisError } from '@dynamis/core';
import type WebSocket from 'ws';

interface Receiver {
  _maxPayload: number;
}

/**
 * The receiver of `ws` (ws 8): the parser that enforces maxPayload on each
 * frame header, before it buffers the payload. ws has no public way to change
 * the limit of an open WebSocket; we need it to rise from
 * HANDSHAKE_MAX_BYTES to maxPayloadBytes once the peer authenticated. Throws
 * UNAVAILABLE if ws's internals no longer look as expected (an upgrade of ws
 * must then fail loudly, never silently keep a 4 MiB pre-auth limit).
 */
function receiverOf(ws: WebSocket): Receiver {
  const receiver = (ws as unknown as { _receiver?: Partial<Receiver> | null })._receiver;
  if (receiver === undefined || receiver === null || typeof receiver._maxPayload !== 'number') {
    throw new DynamisError('UNAVAILABLE', 'ws internals changed: cannot read the message size limit of a WebSocket');
  }
  return receiver as Receiver;
}

/** The largest message `ws` accepts now. Throws like `setMaxPayload`. */
export function maxPayloadOf(ws: WebSocket): number {
  return receiverOf(ws)._maxPayload;
}

/** Sets the largest message `ws` accepts from its next frame on. Throws UNAVAILABLE (see receiverOf). */
export function setMaxPayload(ws: WebSocket, bytes: number): void {
  receiverOf(ws)._maxPayload = bytes;
}
