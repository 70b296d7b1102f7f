import * as core from '@dynamis/core';
import { checkEnvelope, DynamisError, type Envelope } from '@dynamis/core';
import type { FrameKind } from '../wire/frameSchema';
import type { FrameCodec } from '../wire/FrameCodec';

/** Read once at load: every access through @dynamis/core's CommonJS index is a call of a getter that all its re-exports share (a megamorphic load, seen in the client's CPU profile). */
const { MAX_MESSAGE_TYPE_LENGTH } = core;

/** What encoding a message needs. */
export interface EncodeEnv {
  readonly codec: FrameCodec;
  readonly maxPayloadBytes: number;
}

/**
 * Encodes a Request, Response, OneWay or StreamOpen frame carrying `msg`.
 * Throws INVALID_ARGUMENT for an envelope the wire cannot carry (what
 * checkEnvelope in core refuses: a type not of 1–MAX_MESSAGE_TYPE_LENGTH
 * characters, a payload that is not plain data) or a frame over
 * maxPayloadBytes; nothing of a refused frame is kept.
 *
 * The payload is walked once, by the encoder: it refuses every payload that
 * isWireValue refuses (encodeMessage.spec.ts proves it with fast-check,
 * hostile shapes included), so checkEnvelope runs only to word a refusal.
 */
export function encodeMessage(env: EncodeEnv, kind: FrameKind, id: number, msg: Envelope): Buffer {
  if (!hasWireType(msg)) checkEnvelope(msg); // throws: the envelope or its type is malformed
  let frame: Buffer;
  try {
    frame = env.codec.encode(kind, id, msg.type, msg.payload);
  } catch (err) {
    checkEnvelope(msg); // the clear refusal of a payload that is not plain data
    throw err;
  }
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

/** checkEnvelope's rule for the envelope and its type, inline (no payload walk). */
function hasWireType(msg: Envelope): boolean {
  return (
    typeof msg === 'object' &&
    msg !== null &&
    typeof msg.type === 'string' &&
    msg.type.length > 0 &&
    msg.type.length <= MAX_MESSAGE_TYPE_LENGTH
  );
}
