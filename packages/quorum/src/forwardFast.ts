import { isBytes, isPlainObject, isZodInt, isZodNumber, NOT_FAST, onlyKeys, optional, type FastParser } from '@dynamis/core';

/*
 * Fast parsers of the forward protocol (forwardProtocol.ts attaches them to
 * its schemas; see core's wire/fastParse.ts). Every schema there is strict,
 * so an accepted value is its own parse. forwardFast.spec.ts proves each
 * equivalent to its schema with fast-check.
 */

const GET = new Set(['op', 'key', 'consistency', 'timeoutMs']);
const WRITE = new Set([
  'op',
  'key',
  'value',
  'ttlMs',
  'context',
  'ifAbsent',
  'ifVersion',
  'sloppyQuorum',
  'consistency',
  'timeoutMs',
  'requestId',
]);
const READ_REPLY = new Set(['found', 'siblings', 'context']);
const VALUE = new Set(['value', 'writtenAt', 'expiresAt']);
const WRITE_REPLY = new Set(['context', 'acks']);

const isPositiveInt = (v: unknown): boolean => isZodInt(v) && (v as number) > 0;
/** z.union([z.enum(['one', 'quorum', 'all']), z.number().int().positive()]) */
const isLevel = (v: unknown): boolean => v === 'one' || v === 'quorum' || v === 'all' || isPositiveInt(v);
const isKey = (v: unknown): boolean => typeof v === 'string' && v.length >= 1;
const isBoolean = (v: unknown): boolean => typeof v === 'boolean';

/** forwardRequestSchema: a discriminated union on `op`. */
export const fastForwardRequest: FastParser<never> = (v) => {
  if (!isPlainObject(v) || !isKey(v.key) || !optional(v.consistency, isLevel) || !optional(v.timeoutMs, isPositiveInt)) return NOT_FAST;
  if (v.op === 'get') return onlyKeys(v, GET) ? (v as never) : NOT_FAST;
  if (v.op !== 'write' || !onlyKeys(v, WRITE)) return NOT_FAST;
  const ok =
    (v.value === null || isBytes(v.value)) &&
    optional(v.ttlMs, (t) => isZodNumber(t) && t > 0) &&
    optional(v.context, isBytes) &&
    optional(v.ifAbsent, isBoolean) &&
    optional(v.ifVersion, isBytes) &&
    optional(v.sloppyQuorum, isBoolean) &&
    optional(v.requestId, (id) => typeof id === 'string' && id.length >= 1 && id.length <= 64);
  return ok ? (v as never) : NOT_FAST;
};

function isLiveValue(s: unknown): boolean {
  return isPlainObject(s) && onlyKeys(s, VALUE) && isBytes(s.value) && isZodNumber(s.writtenAt) && optional(s.expiresAt, isZodNumber);
}

/** forwardReadReplySchema */
export const fastForwardReadReply: FastParser<never> = (v) => {
  if (!isPlainObject(v) || !onlyKeys(v, READ_REPLY) || typeof v.found !== 'boolean' || !isBytes(v.context)) return NOT_FAST;
  const siblings = v.siblings;
  if (!Array.isArray(siblings)) return NOT_FAST;
  for (let i = 0; i < siblings.length; i++) if (!isLiveValue(siblings[i])) return NOT_FAST;
  return v as never;
};

/** forwardWriteReplySchema */
export const fastForwardWriteReply: FastParser<never> = (v) =>
  isPlainObject(v) && onlyKeys(v, WRITE_REPLY) && isBytes(v.context) && isZodInt(v.acks) && v.acks >= 0 ? (v as never) : NOT_FAST;
