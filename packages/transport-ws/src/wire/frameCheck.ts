import * as core from '@dynamis/core';
import { MAX_CREDIT_GRANT, MAX_ID, MAX_TYPE_LENGTH, PROOF_BYTES, type FrameField } from './frameSchema';

/** Read once at load: every access through @dynamis/core's CommonJS index is a call of a getter that all its re-exports share (a megamorphic load, seen in the client's CPU profile). */
const { isWireValue, MAX_WIRE_ERROR_MESSAGE } = core;

type Check = (v: unknown) => boolean;

const isExchangeId: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_ID;
const isZero: Check = (v) => v === 0;
const isNoType: Check = (v) => v === '';
const isMessageType: Check = (v) => typeof v === 'string' && v.length >= 1 && v.length <= MAX_TYPE_LENGTH;
const isPayload: Check = (v) => isWireValue(v);
const isBytes: Check = (v) => v instanceof Uint8Array;
const isProof: Check = (v) => v instanceof Uint8Array && v.length === PROOF_BYTES;
const isNull: Check = (v) => v === null;
const isCredit: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= MAX_CREDIT_GRANT;

/** zod's notion of a plain object (z.record's gate), so that both paths agree on odd prototypes. */
function isZodPlainObject(o: object): boolean {
  const ctor: unknown = (o as { constructor?: unknown }).constructor;
  if (ctor === undefined || typeof ctor !== 'function') return true;
  const proto: unknown = (ctor as { prototype?: unknown }).prototype;
  if (typeof proto !== 'object' || proto === null || Array.isArray(proto)) return false;
  return Object.prototype.hasOwnProperty.call(proto, 'isPrototypeOf');
}

/** A record of string keys (no enumerable own symbol key) whose whole value is plain wire data. */
function isDetails(d: unknown): boolean {
  if (typeof d !== 'object' || d === null || Array.isArray(d) || !isZodPlainObject(d)) return false;
  for (const s of Object.getOwnPropertySymbols(d)) if (Object.prototype.propertyIsEnumerable.call(d, s)) return false;
  return isWireValue(d);
}

/** `{ code, message, details }` and no other key (own or inherited enumerable), as the strict zod object. */
const isWireError: Check = (v) => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const e = v as { code?: unknown; message?: unknown; details?: unknown };
  for (const key in e) if (key !== 'code' && key !== 'message' && key !== 'details') return false;
  const { code, message } = e;
  return (
    typeof code === 'string' &&
    code.length >= 1 &&
    code.length <= 64 &&
    typeof message === 'string' &&
    message.length <= MAX_WIRE_ERROR_MESSAGE &&
    isDetails(e.details)
  );
};

/** Per kind (indexed like FRAME_SCHEMAS): the checks of id, type and body. */
const KIND_CHECKS: readonly (readonly [Check, Check, Check])[] = [
  [isZero, isNoType, isProof], // Auth
  [isZero, isNoType, isProof], // AuthOk
  [isExchangeId, isMessageType, isPayload], // Request
  [isExchangeId, isMessageType, isPayload], // Response
  [isExchangeId, isNoType, isWireError], // ErrorResponse
  [isZero, isMessageType, isPayload], // OneWay
  [isExchangeId, isMessageType, isPayload], // StreamOpen
  [isExchangeId, isNoType, isBytes], // StreamChunk
  [isExchangeId, isNoType, isNull], // StreamEnd
  [isExchangeId, isNoType, isCredit], // StreamCredit
  [isExchangeId, isNoType, isWireError], // StreamAbort
  [isExchangeId, isNoType, isNull], // StreamCancel
];

/**
 * `bodyIsWireValue`: the caller knows that `isWireValue(value[3])` holds (a
 * frame decoded by PlainMsgpackDecoder within the wire bounds: see
 * FrameCodec.decode), so a payload body is not walked again; every other
 * check runs as without it.
 *
 * The hand-written fast path of frame validation: undefined when `value` is
 * a frame (FRAME_SCHEMAS, the source of truth, accepts it), else the first
 * field that is wrong. Accepts exactly what the schemas accept and names the
 * same field as `explainFrame` (property-tested in frameCheck.spec.ts); for
 * the message, ask `explainFrame`. Never throws on decoded data; allocates
 * nothing on success. Time linear in the payload (isWireValue's budget).
 */
export function frameFault(value: unknown, bodyIsWireValue = false): FrameField | undefined {
  if (!Array.isArray(value) || value.length !== 4) return 'frame';
  const kind: unknown = value[0];
  if (typeof kind !== 'number') return 'kind';
  const checks = KIND_CHECKS[kind];
  if (checks === undefined) return 'kind';
  if (!checks[0](value[1])) return 'id';
  if (!checks[1](value[2])) return 'type';
  const body = checks[2];
  if (!(body === isPayload && bodyIsWireValue) && !body(value[3])) return 'body';
  return undefined;
}
