import { DynamisError, ERROR_CODES, type ErrorCode } from '@dynamis/core';
import type { WireError } from './frameSchema';
import { isWireValue } from './wireValue';

const KNOWN = new Set<string>(ERROR_CODES);
const MAX_MESSAGE = 16_384;

/**
 * The wire form of what a handler threw: a DynamisError keeps its code,
 * message and (if wire-safe) details; anything else becomes UNAVAILABLE with
 * `context` and the error's message (never its stack).
 */
export function toWireError(err: unknown, context: string): WireError {
  if (err instanceof DynamisError) {
    const details = isWireValue(err.details) ? err.details : {};
    return { code: err.code, message: err.message.slice(0, MAX_MESSAGE), details };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'UNAVAILABLE', message: `${context}: ${message}`.slice(0, MAX_MESSAGE), details: {} };
}

/** The DynamisError a requester sees for `wire`; an unknown code becomes PROTOCOL_ERROR. */
export function fromWireError(wire: WireError): DynamisError {
  const code: ErrorCode = KNOWN.has(wire.code) ? (wire.code as ErrorCode) : 'PROTOCOL_ERROR';
  return new DynamisError(code, wire.message, { details: wire.details });
}
