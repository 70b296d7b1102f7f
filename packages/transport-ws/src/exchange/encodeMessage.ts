import { DynamisError, type Envelope } from '@dynamis/core';
import { MAX_TYPE_LENGTH, type FrameKind } from '../wire/frameSchema';
import type { FrameCodec } from '../wire/FrameCodec';
import { isWireValue } from '../wire/wireValue';

/** What encoding a message needs. */
export interface EncodeEnv {
  readonly codec: FrameCodec;
  readonly maxPayloadBytes: number;
}

/**
 * Encodes a Request, Response, OneWay or StreamOpen frame carrying `msg`.
 * Throws INVALID_ARGUMENT for a type outside 1–MAX_TYPE_LENGTH characters, a
 * payload that is not plain data (isWireValue), or a frame over
 * maxPayloadBytes.
 */
export function encodeMessage(env: EncodeEnv, kind: FrameKind, id: number, msg: Envelope): Buffer {
  if (
    typeof msg !== 'object' ||
    msg === null ||
    typeof msg.type !== 'string' ||
    msg.type.length === 0 ||
    msg.type.length > MAX_TYPE_LENGTH
  ) {
    throw new DynamisError('INVALID_ARGUMENT', `an envelope needs a type of 1–${MAX_TYPE_LENGTH} characters`);
  }
  if (!isWireValue(msg.payload)) {
    throw new DynamisError(
      'INVALID_ARGUMENT',
      `payload of '${msg.type}' is not plain data (null, booleans, numbers, strings, Uint8Array, arrays, plain objects)`,
    );
  }
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
