import { checkEnvelope, DynamisError, type Envelope } from '@dynamis/core';
import type { FrameKind } from '../wire/frameSchema';
import type { FrameCodec } from '../wire/FrameCodec';

/** What encoding a message needs. */
export interface EncodeEnv {
  readonly codec: FrameCodec;
  readonly maxPayloadBytes: number;
}

/**
 * Encodes a Request, Response, OneWay or StreamOpen frame carrying `msg`.
 * Throws INVALID_ARGUMENT for an envelope the wire cannot carry
 * (checkEnvelope in core: type length, plain-data payload) or a frame over
 * maxPayloadBytes.
 */
export function encodeMessage(env: EncodeEnv, kind: FrameKind, id: number, msg: Envelope): Buffer {
  checkEnvelope(msg);
  const frame = env.codec.encode(kind, id, msg.type, msg.payload);
  if (frame.length > env.maxPayloadBytes) {
    throw new DynamisError(
      'INVALID_ARGUMENT',
      `'${msg.type}' encodes to ${frame.length} bytes, over maxPayloadBytes (${env.maxPayloadBytes})`,
      {
        details: { bytes: frame.length, maxPayloadBytes: env.maxPayloadBytes },
      },
    );
  }
  return frame;
}
