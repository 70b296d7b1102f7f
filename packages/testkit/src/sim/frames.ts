import { copyEnvelope, type Envelope, type WireError } from '@dynamis/core';

/**
 * What the simulated network carries (internal to sim). `id` names the
 * exchange (a request and its reply, or a stream and all its frames); `type`
 * is the exchange's envelope type, kept for the trace.
 *
 * req/send/open carry the envelope; res/err answer a req or an open;
 * pull (one chunk of credit) and cancel go from a stream's receiver to its
 * sender, chunk/end/abort the other way. Envelopes, wire errors and the
 * inbound stream are core's (wire/), shared with transport-ws.
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
