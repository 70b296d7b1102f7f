import { inject, injectable, type ServiceIdentifier } from 'inversify';
import { ConfigToken } from '../config/parseConfig';
import type { DynamisConfig } from '../config/schema';
import { DynamisError } from '../errors/DynamisError';
import {
  CoordinatorToken,
  type Coordinator,
  type ReadOptions,
  type ReadResult,
  type StoreBatchOp,
  type WriteOptions,
  type WriteResult,
} from '../ports/Coordinator';
import type { Consistency } from '../ports/types';

const MAX_TTL_MS = 100 * 365 * 24 * 3600 * 1000;

/**
 * The public store API of a node. Validates every argument (abstract-level
 * style) and delegates to the Coordinator. Errors: INVALID_KEY (not a string,
 * empty, not well-formed Unicode, or over limits.maxKeyBytes UTF-8 bytes),
 * VALUE_TOO_LARGE (over limits.maxValueBytes), INVALID_ARGUMENT (anything
 * else malformed), then whatever the Coordinator reports. Nothing invalid is
 * ever truncated or half-written.
 */
@injectable()
export class Store {
  constructor(
    @inject(CoordinatorToken) private readonly coordinator: Coordinator,
    @inject(ConfigToken) private readonly config: DynamisConfig,
  ) {}

  put(key: string, value: Uint8Array, options: WriteOptions = {}): Promise<WriteResult> {
    return this.guard(() => {
      this.checkKey(key);
      this.checkValue(value);
      this.checkWriteOptions(options, true);
      return this.coordinator.put(key, value, options);
    });
  }

  get(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    return this.guard(() => {
      this.checkKey(key);
      this.checkCommon(options);
      return this.coordinator.get(key, options);
    });
  }

  delete(key: string, options: WriteOptions = {}): Promise<WriteResult> {
    return this.guard(() => {
      this.checkKey(key);
      this.checkWriteOptions(options, false);
      return this.coordinator.delete(key, options);
    });
  }

  /** Validates every op before any is applied: one bad op rejects the whole batch. */
  batch(ops: readonly StoreBatchOp[], options: WriteOptions = {}): Promise<WriteResult[]> {
    return this.guard(() => {
      if (!Array.isArray(ops)) throw invalid('batch ops must be an array');
      if (ops.length > this.config.limits.maxBatchOps) {
        throw invalid(`batch has ${ops.length} ops, more than limits.maxBatchOps (${this.config.limits.maxBatchOps})`);
      }
      for (const op of ops) this.checkBatchOp(op);
      if (options.ifAbsent !== undefined || options.ifVersion !== undefined)
        throw invalid('conditions are per key: use put() with ifAbsent/ifVersion');
      this.checkCommon(options);
      return ops.length === 0 ? Promise.resolve([]) : this.coordinator.batch(ops, options);
    });
  }

  private guard<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return fn();
    } catch (err) {
      return Promise.reject(err);
    }
  }

  private checkBatchOp(op: StoreBatchOp): void {
    if (op === null || typeof op !== 'object') throw invalid('batch op must be an object');
    this.checkKey(op.key);
    if (op.context !== undefined && !(op.context instanceof Uint8Array)) throw invalid('context must be a Uint8Array');
    if (op.type === 'put') {
      this.checkValue(op.value);
      if (op.ttlMs !== undefined) checkTtl(op.ttlMs);
    } else if (op.type !== 'del') {
      throw invalid(`batch op type must be 'put' or 'del', got ${JSON.stringify((op as { type: unknown }).type)}`);
    }
  }

  private checkKey(key: unknown): asserts key is string {
    if (typeof key !== 'string') throw new DynamisError('INVALID_KEY', `Key must be a string, got ${typeof key}`);
    if (key.length === 0) throw new DynamisError('INVALID_KEY', 'Key must not be empty');
    if (!key.isWellFormed()) throw new DynamisError('INVALID_KEY', 'Key is not well-formed Unicode (lone surrogate)');
    const bytes = Buffer.byteLength(key, 'utf8');
    const max = this.config.limits.maxKeyBytes;
    if (bytes > max) {
      throw new DynamisError('INVALID_KEY', `Key is ${bytes} bytes, more than limits.maxKeyBytes (${max})`, { details: { bytes, max } });
    }
  }

  private checkValue(value: unknown): asserts value is Uint8Array {
    if (!(value instanceof Uint8Array)) throw invalid(`Value must be a Uint8Array, got ${typeof value}`);
    const max = this.config.limits.maxValueBytes;
    if (value.length > max) {
      throw new DynamisError('VALUE_TOO_LARGE', `Value is ${value.length} bytes, more than limits.maxValueBytes (${max})`, {
        details: { bytes: value.length, max },
      });
    }
  }

  private checkWriteOptions(options: WriteOptions, isPut: boolean): void {
    this.checkCommon(options);
    if (options.ttlMs !== undefined) {
      if (!isPut) throw invalid('ttlMs applies to put only');
      checkTtl(options.ttlMs);
    }
    for (const name of ['context', 'ifVersion'] as const) {
      if (options[name] !== undefined && !(options[name] instanceof Uint8Array)) throw invalid(`${name} must be a Uint8Array`);
    }
    if (options.ifAbsent !== undefined && typeof options.ifAbsent !== 'boolean') throw invalid('ifAbsent must be a boolean');
    if (options.ifAbsent === true && options.ifVersion !== undefined) throw invalid('ifAbsent and ifVersion exclude each other');
  }

  private checkCommon(options: { consistency?: Consistency; timeoutMs?: number }): void {
    if (options === null || typeof options !== 'object') throw invalid('options must be an object');
    const c = options.consistency;
    if (c !== undefined && c !== 'one' && c !== 'quorum' && c !== 'all' && !(Number.isInteger(c) && (c as number) > 0)) {
      throw invalid(`consistency must be 'one', 'quorum', 'all' or a positive integer, got ${JSON.stringify(c)}`);
    }
    if (options.timeoutMs !== undefined && !(Number.isInteger(options.timeoutMs) && options.timeoutMs > 0)) {
      throw invalid('timeoutMs must be a positive integer');
    }
  }
}

function checkTtl(ttl: unknown): void {
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl <= 0 || ttl > MAX_TTL_MS) {
    throw invalid(`ttlMs must be a positive integer of at most ${MAX_TTL_MS} ms`);
  }
}

function invalid(message: string): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', message);
}

export const StoreToken: ServiceIdentifier<Store> = Symbol.for('dynamis.Store');
