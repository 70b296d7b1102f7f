import { DynamisError, ERROR_CODES, type Envelope, type ErrorCode } from '@dynamis/core';
import { copyEnvelope, wireCopy } from './wireCopy';

/** An error as it travels on the simulated wire. */
export interface WireError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details: Record<string, unknown>;
}

/**
 * What the simulated network carries (internal to sim). `id` names the
 * exchange (a request and its reply, or a stream and all its frames); `type`
 * is the exchange's envelope type, kept for the trace.
 *
 * req/send/open carry the envelope; res/err answer a req or an open;
 * pull/cancel go from a stream's receiver to its sender, chunk/end/abort the
 * other way.
 */
export type Frame =
  | { readonly kind: 'req' | 'send' | 'open' | 'res'; readonly id: number; readonly type: string; readonly env: Envelope }
  | { readonly kind: 'err' | 'abort'; readonly id: number; readonly type: string; readonly error: WireError }
  | { readonly kind: 'chunk'; readonly id: number; readonly type: string; readonly data: Uint8Array }
  | { readonly kind: 'pull' | 'end' | 'cancel'; readonly id: number; readonly type: string };

/** A private copy of `frame`, sharing no object with it. */
export function copyFrame(frame: Frame): Frame {
  switch (frame.kind) {
    case 'req':
    case 'send':
    case 'open':
    case 'res':
      return { ...frame, env: copyEnvelope(frame.env) };
    case 'err':
    case 'abort':
      return { ...frame, error: { ...frame.error, details: { ...frame.error.details } } };
    case 'chunk':
      return { ...frame, data: new Uint8Array(frame.data) };
    default:
      return { ...frame };
  }
}

/**
 * The wire form of what a handler threw: a DynamisError keeps its code,
 * message and (if wire-safe) details; anything else becomes UNAVAILABLE.
 */
export function toWireError(err: unknown, context: string): WireError {
  if (err instanceof DynamisError) {
    let details: Record<string, unknown>;
    try {
      details = wireCopy(err.details, 'details') as Record<string, unknown>;
    } catch {
      details = {};
    }
    return { code: err.code, message: err.message, details };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'UNAVAILABLE', message: `${context}: ${message}`, details: {} };
}

/** The DynamisError a requester sees for `wire`. */
export function fromWireError(wire: WireError): DynamisError {
  const code: ErrorCode = (ERROR_CODES as readonly string[]).includes(wire.code) ? wire.code : 'PROTOCOL_ERROR';
  return new DynamisError(code, wire.message, { details: wire.details });
}
