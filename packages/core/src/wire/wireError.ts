import { DynamisError, ERROR_CODES, type ErrorCode } from '../errors/DynamisError';
import { isWireValue } from './wireValue';

/** An error as it travels between nodes (transport-ws ErrorResponse/StreamAbort frames, SimTransport 'err'/'abort'). */
export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

const KNOWN = new Set<string>(ERROR_CODES);
/** Longest error message on the wire, in UTF-16 units; longer ones are cut. */
export const MAX_WIRE_ERROR_MESSAGE = 16_384;

/**
 * The wire form of what a handler threw: a DynamisError keeps its code,
 * message and (if wire-safe) details; anything else becomes UNAVAILABLE with
 * `context` and the error's message (never its stack).
 */
export function toWireError(err: unknown, context: string): WireError {
  if (err instanceof DynamisError) {
    const details = isWireValue(err.details) ? err.details : {};
    return { code: err.code, message: err.message.slice(0, MAX_WIRE_ERROR_MESSAGE), details };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'UNAVAILABLE', message: `${context}: ${message}`.slice(0, MAX_WIRE_ERROR_MESSAGE), details: {} };
}

/** The DynamisError a requester sees for `wire`; an unknown code becomes PROTOCOL_ERROR. */
export function fromWireError(wire: WireError): DynamisError {
  const code: ErrorCode = KNOWN.has(wire.code) ? (wire.code as ErrorCode) : 'PROTOCOL_ERROR';
  return new DynamisError(code, wire.message, { details: wire.details });
}
