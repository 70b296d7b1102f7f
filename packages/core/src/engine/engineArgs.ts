import { DynamisError } from '../errors/DynamisError';
import type { BatchOp, EngineWriteOptions, IteratorOptions, KeyRange, EngineReadOptions } from '../ports/StorageEngine';
import { copyBytes } from '../util/bytes';
import { AbstractEngineSnapshot } from './AbstractEngineSnapshot';
import type { RangeBounds } from './rangeBounds';

/** Iterator options after validation: resolved bounds (copied), direction, limit, snapshot. */
export interface IteratorSpec extends RangeBounds {
  readonly reverse: boolean;
  /** Entries to yield at most; -1 for no limit. */
  readonly limit: number;
  /** The snapshot to read (checked: this engine's, not released), or undefined for one taken now. */
  readonly snapshot: AbstractEngineSnapshot | undefined;
}

function invalid(message: string, details: Record<string, unknown>): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', message, { details });
}

/** Throws INVALID_ARGUMENT unless `value` is a Uint8Array. */
export function checkBytes(value: unknown, argument: string): asserts value is Uint8Array {
  if (!(value instanceof Uint8Array)) {
    throw invalid(`${argument} must be a Uint8Array, got ${describe(value)}`, { argument });
  }
}

/** Throws INVALID_ARGUMENT unless `options` is undefined or well-formed; returns `sync`. */
export function checkWriteOptions(options: EngineWriteOptions | undefined): boolean {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) {
    throw invalid(`write options must be an object, got ${describe(options)}`, { argument: 'options' });
  }
  const sync = options.sync;
  if (sync !== undefined && typeof sync !== 'boolean') {
    throw invalid(`options.sync must be a boolean, got ${describe(sync)}`, { argument: 'options.sync' });
  }
  return sync === true;
}

/**
 * Throws INVALID_ARGUMENT unless `snapshot` is undefined or an
 * AbstractEngineSnapshot (ownership and release are checked by the engine).
 */
export function checkSnapshotArg(snapshot: unknown): AbstractEngineSnapshot | undefined {
  if (snapshot === undefined || snapshot instanceof AbstractEngineSnapshot) return snapshot;
  throw invalid(`snapshot must be a snapshot of this engine, got ${describe(snapshot)}`, { argument: 'snapshot' });
}

/** Validates get() options; returns the snapshot (undefined when none). */
export function resolveEngineReadOptions(options: EngineReadOptions | undefined): AbstractEngineSnapshot | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== 'object' || options === null) {
    throw invalid(`read options must be an object, got ${describe(options)}`, { argument: 'options' });
  }
  return checkSnapshotArg(options.snapshot);
}

/**
 * Validates a batch and returns fresh op objects, whose keys and values
 * share no memory with the caller's when `copy` (the default), else are
 * the caller's buffers. Throws INVALID_ARGUMENT (naming the op index) on a
 * malformed op; nothing is copied past the first bad op.
 */
export function copyBatch(ops: readonly BatchOp[], copy = true): BatchOp[] {
  if (!Array.isArray(ops)) throw invalid(`ops must be an array, got ${describe(ops)}`, { argument: 'ops' });
  const out: BatchOp[] = new Array<BatchOp>(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op: unknown = ops[i];
    if (typeof op !== 'object' || op === null) {
      throw invalid(`ops[${i}] must be an object, got ${describe(op)}`, { argument: 'ops', index: i });
    }
    const { type, key, value } = op as { type?: unknown; key?: unknown; value?: unknown };
    checkBytes(key, `ops[${i}].key`);
    if (type === 'put') {
      checkBytes(value, `ops[${i}].value`);
      out[i] = copy ? { type: 'put', key: copyBytes(key), value: copyBytes(value) } : { type: 'put', key, value };
    } else if (type === 'del') {
      out[i] = { type: 'del', key: copy ? copyBytes(key) : key };
    } else {
      throw invalid(`ops[${i}].type must be 'put' or 'del', got ${describe(type)}`, { argument: 'ops', index: i });
    }
  }
  return out;
}

function bound(range: KeyRange, name: 'gt' | 'gte' | 'lt' | 'lte'): Uint8Array | undefined {
  const b: unknown = range[name];
  if (b === undefined) return undefined;
  checkBytes(b, name);
  return b;
}

/**
 * Validates a range and resolves it (gt over gte, lt over lte) with copied
 * bounds. Throws INVALID_ARGUMENT on a bound that is not a Uint8Array.
 */
export function resolveRange(range: KeyRange | undefined, argument = 'range'): RangeBounds {
  if (range === undefined) return { lower: undefined, lowerInclusive: true, upper: undefined, upperInclusive: true };
  if (typeof range !== 'object' || range === null) {
    throw invalid(`${argument} must be an object, got ${describe(range)}`, { argument });
  }
  const gt = bound(range, 'gt');
  const gte = bound(range, 'gte');
  const lt = bound(range, 'lt');
  const lte = bound(range, 'lte');
  const lower = gt ?? gte;
  const upper = lt ?? lte;
  return {
    lower: lower === undefined ? undefined : copyBytes(lower),
    lowerInclusive: gt === undefined,
    upper: upper === undefined ? undefined : copyBytes(upper),
    upperInclusive: lt === undefined,
  };
}

/**
 * Validates iterator options: bounds as in resolveRange, `reverse` a boolean,
 * `limit` an integer >= -1 or Infinity (-1 and Infinity mean no limit).
 */
export function resolveIteratorOptions(options: IteratorOptions | undefined): IteratorSpec {
  const bounds = resolveRange(options, 'options');
  const reverse: unknown = options?.reverse;
  if (reverse !== undefined && typeof reverse !== 'boolean') {
    throw invalid(`reverse must be a boolean, got ${describe(reverse)}`, { argument: 'reverse' });
  }
  const limit: unknown = options?.limit;
  let resolved = -1;
  if (limit !== undefined && limit !== Infinity) {
    if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < -1) {
      throw invalid(`limit must be an integer >= -1 or Infinity, got ${describe(limit)}`, { argument: 'limit' });
    }
    resolved = limit;
  }
  return { ...bounds, reverse: reverse === true, limit: resolved, snapshot: checkSnapshotArg(options?.snapshot) };
}

/** Throws INVALID_ARGUMENT unless `size` is a positive integer or Infinity. */
export function checkBatchSize(size: unknown): asserts size is number {
  if (size !== Infinity && (typeof size !== 'number' || !Number.isInteger(size) || size < 1)) {
    throw invalid(`size must be a positive integer, got ${describe(size)}`, { argument: 'size' });
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  if (typeof value === 'number' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  return typeof value;
}
