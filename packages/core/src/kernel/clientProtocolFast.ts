import { copyPresent, isBytes, isPlainObject, isZodInt, isZodNumber, onlyKeys, optional } from '../wire/fastChecks';
import { NOT_FAST } from '../wire/fastParse';

/*
 * Fast parsers of the hot client messages (clientProtocol.ts attaches them to
 * its schemas; see wire/fastParse.ts). Each mirrors its schema rule for rule;
 * clientProtocolFast.spec.ts proves them equivalent with fast-check.
 */

const PUT = new Set(['key', 'value', 'options']);
const GET = new Set(['key', 'options']);
const WRITE_OPTIONS = new Set(['consistency', 'timeoutMs', 'ttlMs', 'context', 'ifAbsent', 'ifVersion']);
const READ_OPTIONS = new Set(['consistency', 'timeoutMs']);

/** z.union([z.string(), z.number().int()]).optional() */
function consistency(v: unknown): boolean {
  return v === undefined || typeof v === 'string' || isZodInt(v);
}

function readOptions(o: unknown): boolean {
  if (o === undefined) return true;
  return isPlainObject(o) && onlyKeys(o, READ_OPTIONS) && consistency(o.consistency) && optional(o.timeoutMs, isZodNumber);
}

function isBoolean(v: unknown): boolean {
  return typeof v === 'boolean';
}

function writeOptions(o: unknown): boolean {
  if (o === undefined) return true;
  return (
    isPlainObject(o) &&
    onlyKeys(o, WRITE_OPTIONS) &&
    consistency(o.consistency) &&
    optional(o.timeoutMs, isZodNumber) &&
    optional(o.ttlMs, isZodNumber) &&
    optional(o.context, isBytes) &&
    optional(o.ifAbsent, isBoolean) &&
    optional(o.ifVersion, isBytes)
  );
}

/** clientPutSchema (strict: the value itself is the parse). */
export function fastClientPut<T>(v: unknown): T | typeof NOT_FAST {
  return isPlainObject(v) && onlyKeys(v, PUT) && typeof v.key === 'string' && isBytes(v.value) && writeOptions(v.options)
    ? (v as T)
    : NOT_FAST;
}

/** clientGetSchema. */
export function fastClientGet<T>(v: unknown): T | typeof NOT_FAST {
  return isPlainObject(v) && onlyKeys(v, GET) && typeof v.key === 'string' && readOptions(v.options) ? (v as T) : NOT_FAST;
}

/** clientDeleteSchema. */
export function fastClientDelete<T>(v: unknown): T | typeof NOT_FAST {
  return isPlainObject(v) && onlyKeys(v, GET) && typeof v.key === 'string' && writeOptions(v.options) ? (v as T) : NOT_FAST;
}

/** clientWriteResultSchema (stripping: a fresh object of the declared keys). */
export function fastClientWriteResult<T>(v: unknown): T | typeof NOT_FAST {
  return isPlainObject(v) && isBytes(v.context) && isZodInt(v.acks) && v.acks >= 0 ? ({ context: v.context, acks: v.acks } as T) : NOT_FAST;
}

/** clientReadResultSchema (stripping, siblings too). */
export function fastClientReadResult<T>(v: unknown): T | typeof NOT_FAST {
  if (!isPlainObject(v) || typeof v.found !== 'boolean' || !Array.isArray(v.siblings) || !isBytes(v.context)) return NOT_FAST;
  const input = v.siblings as unknown[];
  const siblings: unknown[] = new Array(input.length);
  for (let i = 0; i < input.length; i++) {
    const s = input[i];
    if (!isPlainObject(s) || !isBytes(s.value) || !isZodNumber(s.writtenAt) || !optional(s.expiresAt, isZodNumber)) return NOT_FAST;
    const out: Record<string, unknown> = { value: s.value, writtenAt: s.writtenAt };
    copyPresent(s, out, 'expiresAt');
    siblings[i] = out;
  }
  return { found: v.found, siblings, context: v.context } as T;
}
