import { DynamisError } from '../errors/DynamisError';
import type { Consistency } from '../ports/types';

/** The limits a client checks before sending (the node's `limits`). */
export interface Limits {
  readonly maxKeyBytes: number;
  readonly maxValueBytes: number;
  readonly maxBatchOps: number;
}

const MAX_TTL_MS = 100 * 365 * 24 * 3600 * 1000;

/*
 * Argument checks of the store API, shared by the node's Store and the client
 * (which checks before sending, so a bad argument fails without a round trip;
 * the node checks again: its limits are the ones that count).
 */

/** INVALID_KEY: not a string, empty, lone surrogate, or over maxKeyBytes UTF-8 bytes. */
export function checkKey(key: unknown, limits: Limits): asserts key is string {
  if (typeof key !== 'string') throw new DynamisError('INVALID_KEY', `Key must be a string, got ${typeof key}`);
  if (key.length === 0) throw new DynamisError('INVALID_KEY', 'Key must not be empty');
  if (!key.isWellFormed()) throw new DynamisError('INVALID_KEY', 'Key is not well-formed Unicode (lone surrogate)');
  const bytes = Buffer.byteLength(key, 'utf8');
  const max = limits.maxKeyBytes;
  if (bytes > max)
    throw new DynamisError('INVALID_KEY', `Key is ${bytes} bytes, more than limits.maxKeyBytes (${max})`, { details: { bytes, max } });
}

/** INVALID_ARGUMENT when not a Uint8Array; VALUE_TOO_LARGE over maxValueBytes. */
export function checkValue(value: unknown, limits: Limits): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) throw invalid(`Value must be a Uint8Array, got ${typeof value}`);
  const max = limits.maxValueBytes;
  if (value.length > max) {
    throw new DynamisError('VALUE_TOO_LARGE', `Value is ${value.length} bytes, more than limits.maxValueBytes (${max})`, {
      details: { bytes: value.length, max },
    });
  }
}

/** consistency and timeoutMs, common to every request. */
export function checkCommon(options: unknown): void {
  if (options === null || typeof options !== 'object') throw invalid('options must be an object');
  const { consistency: c, timeoutMs } = options as { consistency?: Consistency; timeoutMs?: number };
  if (c !== undefined && c !== 'one' && c !== 'quorum' && c !== 'all' && !(Number.isInteger(c) && (c as number) > 0)) {
    throw invalid(`consistency must be 'one', 'quorum', 'all' or a positive integer, got ${JSON.stringify(c)}`);
  }
  if (timeoutMs !== undefined && !(Number.isInteger(timeoutMs) && timeoutMs > 0)) throw invalid('timeoutMs must be a positive integer');
}

/** Write options; `isPut` allows ttlMs. */
export function checkWriteOptions(options: unknown, isPut: boolean): void {
  checkCommon(options);
  const o = options as { ttlMs?: unknown; context?: unknown; ifVersion?: unknown; ifAbsent?: unknown };
  if (o.ttlMs !== undefined) {
    if (!isPut) throw invalid('ttlMs applies to put only');
    checkTtl(o.ttlMs);
  }
  // Unrolled (no array and iterator per put): both contexts must be bytes.
  if (o.context !== undefined && !(o.context instanceof Uint8Array)) throw invalid('context must be a Uint8Array');
  if (o.ifVersion !== undefined && !(o.ifVersion instanceof Uint8Array)) throw invalid('ifVersion must be a Uint8Array');
  if (o.ifAbsent !== undefined && typeof o.ifAbsent !== 'boolean') throw invalid('ifAbsent must be a boolean');
  if (o.ifAbsent === true && o.ifVersion !== undefined) throw invalid('ifAbsent and ifVersion exclude each other');
  checkSloppy(options);
}

/** `sloppyQuorum`, if set, is a boolean (the Coordinator decides whether it supports it). */
function checkSloppy(options: unknown): void {
  const s = (options as { sloppyQuorum?: unknown }).sloppyQuorum;
  if (s !== undefined && typeof s !== 'boolean') throw invalid('sloppyQuorum must be a boolean');
}

/** A whole batch: every op is checked before anything is sent. */
export function checkBatch(ops: unknown, options: unknown, limits: Limits): void {
  if (!Array.isArray(ops)) throw invalid('batch ops must be an array');
  if (ops.length > limits.maxBatchOps) throw invalid(`batch has ${ops.length} ops, more than limits.maxBatchOps (${limits.maxBatchOps})`);
  for (const op of ops as unknown[]) {
    if (op === null || typeof op !== 'object') throw invalid('batch op must be an object');
    const o = op as { type?: unknown; key?: unknown; value?: unknown; ttlMs?: unknown; context?: unknown };
    checkKey(o.key, limits);
    if (o.context !== undefined && !(o.context instanceof Uint8Array)) throw invalid('context must be a Uint8Array');
    if (o.type === 'put') {
      checkValue(o.value, limits);
      if (o.ttlMs !== undefined) checkTtl(o.ttlMs);
    } else if (o.type !== 'del') {
      throw invalid(`batch op type must be 'put' or 'del', got ${JSON.stringify(o.type)}`);
    }
  }
  checkCommon(options);
  const o = options as { ifAbsent?: unknown; ifVersion?: unknown };
  if (o.ifAbsent !== undefined || o.ifVersion !== undefined) throw invalid('conditions are per key: use put() with ifAbsent/ifVersion');
  checkSloppy(options);
}

function checkTtl(ttl: unknown): void {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TTL_MS) {
    throw invalid(`ttlMs must be a positive integer of at most ${MAX_TTL_MS} ms`);
  }
}

function invalid(message: string): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', message);
}
