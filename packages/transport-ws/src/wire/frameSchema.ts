import { z } from 'zod';
import { isWireValue, MAX_MESSAGE_TYPE_LENGTH, MAX_WIRE_ERROR_MESSAGE } from '@dynamis/core';

/**
 * Frame kinds (docs/protocol.md). The number is the first element of every
 * frame tuple `[kind, id, type, body]`; values never change meaning.
 */
export const FrameKind = {
  Auth: 0,
  AuthOk: 1,
  Request: 2,
  Response: 3,
  ErrorResponse: 4,
  OneWay: 5,
  StreamOpen: 6,
  StreamChunk: 7,
  StreamEnd: 8,
  StreamCredit: 9,
  StreamAbort: 10,
  StreamCancel: 11,
} as const;

export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

/** Largest correlation id; ids wrap within [1, MAX_ID]. */
export const MAX_ID = 0xffff_ffff;
/** Longest message type, in UTF-16 units (core's rule for every Transport). */
export const MAX_TYPE_LENGTH = MAX_MESSAGE_TYPE_LENGTH;
/** Most credit one grant may carry. */
export const MAX_CREDIT_GRANT = 1 << 20;
/** Bytes of an authentication proof (HMAC-SHA256). */
export const PROOF_BYTES = 32;

/** A validated frame: the decoded tuple itself. */
export type Frame = readonly [kind: FrameKind, id: number, type: string, body: unknown];

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
const proof = bytes.refine((b) => b.length === PROOF_BYTES, 'proof must be 32 bytes');
const payload = z.custom<unknown>((v) => isWireValue(v), 'payload is not plain wire data');
const zero = z.literal(0);
const exchangeId = z.number().int().min(1).max(MAX_ID);
const noType = z.literal('');
const messageType = z.string().min(1).max(MAX_TYPE_LENGTH);
const wireError = z
  .object({
    code: z.string().min(1).max(64),
    message: z.string().max(MAX_WIRE_ERROR_MESSAGE),
    // isWireValue first, on the input: z.record's output leaves out an own `__proto__` key, which a refine after it would not see.
    details: z.custom((d) => isWireValue(d), 'details are not plain wire data').pipe(z.record(z.string(), z.unknown())),
  })
  .strict();

function frame(kind: FrameKind, id: z.ZodType, type: z.ZodType, body: z.ZodType): z.ZodType {
  return z.tuple([z.literal(kind), id, type, body]);
}

/**
 * One zod schema per frame kind, indexed by kind. A decoded value is a frame
 * only if it is an array whose first element indexes this table and the
 * schema accepts it; anything else is a protocol violation.
 */
export const FRAME_SCHEMAS: readonly z.ZodType[] = [
  frame(FrameKind.Auth, zero, noType, proof),
  frame(FrameKind.AuthOk, zero, noType, proof),
  frame(FrameKind.Request, exchangeId, messageType, payload),
  frame(FrameKind.Response, exchangeId, messageType, payload),
  frame(FrameKind.ErrorResponse, exchangeId, noType, wireError),
  frame(FrameKind.OneWay, zero, messageType, payload),
  frame(FrameKind.StreamOpen, exchangeId, messageType, payload),
  frame(FrameKind.StreamChunk, exchangeId, noType, bytes),
  frame(FrameKind.StreamEnd, exchangeId, noType, z.null()),
  frame(FrameKind.StreamCredit, exchangeId, noType, z.number().int().min(1).max(MAX_CREDIT_GRANT)),
  frame(FrameKind.StreamAbort, exchangeId, noType, wireError),
  frame(FrameKind.StreamCancel, exchangeId, noType, z.null()),
];

/**
 * The part of a value that keeps it from being a frame: the value itself
 * (`frame`: not an array of exactly four elements) or the first of its
 * elements, in order, that its kind's schema rejects.
 */
export type FrameField = 'frame' | 'kind' | 'id' | 'type' | 'body';

/** The tuple's elements by index. */
const FRAME_FIELDS: readonly FrameField[] = ['kind', 'id', 'type', 'body'];

/** Why a value is not a frame, as FRAME_SCHEMAS says it. */
export interface FrameRejection {
  readonly field: FrameField;
  /** zod's description of every problem (paths and expectations, never the values). */
  readonly message: string;
}

/**
 * The schemas' verdict on `value`, with zod's message: undefined for a
 * frame. The slow path: the codec validates with frameFault (frameCheck.ts,
 * proved equivalent by a property test) and asks this only for the message
 * of a frame it rejects.
 */
export function explainFrame(value: unknown): FrameRejection | undefined {
  if (!Array.isArray(value) || value.length !== 4)
    return { field: 'frame', message: 'a frame is an array of 4 elements [kind, id, type, body]' };
  const kind: unknown = value[0];
  const schema = typeof kind === 'number' ? FRAME_SCHEMAS[kind] : undefined;
  if (schema === undefined) return { field: 'kind', message: `unknown frame kind (${typeof kind === 'number' ? kind : typeof kind})` };
  const result = schema.safeParse(value);
  if (result.success) return undefined;
  let first = FRAME_FIELDS.length;
  for (const issue of result.error.issues) {
    const at = issue.path[0];
    first = Math.min(first, typeof at === 'number' ? at : -1);
  }
  return { field: FRAME_FIELDS[first] ?? 'frame', message: z.prettifyError(result.error) };
}
