import { DynamisError } from '../errors/DynamisError';
import type { Envelope } from '../ports/Transport';
import { wireCopy } from './wireCopy';
import { isWireValue } from './wireValue';

/** Longest message type, in UTF-16 units. */
export const MAX_MESSAGE_TYPE_LENGTH = 128;

/**
 * Checks that `msg` can travel: a type of 1–MAX_MESSAGE_TYPE_LENGTH
 * characters and a plain-data payload (isWireValue). Throws INVALID_ARGUMENT.
 */
export function checkEnvelope(msg: Envelope): void {
  checkType(msg);
  if (!isWireValue(msg.payload)) {
    throw new DynamisError(
      'INVALID_ARGUMENT',
      `payload of '${msg.type}' is not plain data (null, booleans, numbers, strings, Uint8Array, arrays, plain objects)`,
    );
  }
}

/** A private copy of `msg` as the wire delivers it (see wireCopy); throws INVALID_ARGUMENT like checkEnvelope. */
export function copyEnvelope(msg: Envelope): Envelope {
  checkType(msg);
  return { type: msg.type, payload: wireCopy(msg.payload) };
}

/**
 * The rule for what a request handler resolved with: a reply envelope. No
 * reply (undefined or null) is the handler's bug, answered PROTOCOL_ERROR to
 * the requester (a request always gets an answer; one-way messages have
 * none).
 */
export function requireReply(result: Envelope | void | null, type: string, self: string): Envelope {
  if (result === undefined || result === null) {
    throw new DynamisError('PROTOCOL_ERROR', `handler for '${type}' on ${self} returned no reply`);
  }
  return result;
}

function checkType(msg: Envelope): void {
  if (
    typeof msg !== 'object' ||
    msg === null ||
    typeof msg.type !== 'string' ||
    msg.type.length === 0 ||
    msg.type.length > MAX_MESSAGE_TYPE_LENGTH
  ) {
    throw new DynamisError('INVALID_ARGUMENT', `an envelope needs a type of 1–${MAX_MESSAGE_TYPE_LENGTH} characters`);
  }
}
