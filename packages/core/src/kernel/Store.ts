import { inject, injectable, type ServiceIdentifier } from 'inversify';
import { ConfigToken } from '../config/parseConfig';
import type { DynamisConfig } from '../config/schema';
import {
  CoordinatorToken,
  type Coordinator,
  type ReadOptions,
  type ReadResult,
  type ScanOptions,
  type ScanPage,
  type StoreBatchOp,
  type WriteOptions,
  type WriteResult,
} from '../ports/Coordinator';
import { checkScanOptions } from '../replica/scanWalk';
import { checkBatch, checkCommon, checkKey, checkValue, checkWriteOptions } from './requestChecks';

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

  // The hot methods check inline (no closure per request); a synchronous throw becomes a rejection.
  put(key: string, value: Uint8Array, options: WriteOptions = {}): Promise<WriteResult> {
    try {
      checkKey(key, this.config.limits);
      checkValue(value, this.config.limits);
      checkWriteOptions(options, true);
      return this.coordinator.put(key, value, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  get(key: string, options: ReadOptions = {}): Promise<ReadResult> {
    try {
      checkKey(key, this.config.limits);
      checkCommon(options);
      return this.coordinator.get(key, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  delete(key: string, options: WriteOptions = {}): Promise<WriteResult> {
    try {
      checkKey(key, this.config.limits);
      checkWriteOptions(options, false);
      return this.coordinator.delete(key, options);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Validates every op before any is applied: one bad op rejects the whole batch. */
  batch(ops: readonly StoreBatchOp[], options: WriteOptions = {}): Promise<WriteResult[]> {
    return guard(() => {
      checkBatch(ops, options, this.config.limits);
      return ops.length === 0 ? Promise.resolve([]) : this.coordinator.batch(ops, options);
    });
  }

  /**
   * One page of a cluster-wide scan (ScanOptions, docs/protocol.md "Scan").
   * INVALID_ARGUMENT for bad options (checkScanOptions) or a malformed
   * cursor, then the Coordinator's errors.
   */
  scan(options: ScanOptions = {}): Promise<ScanPage> {
    return guard(() => {
      checkScanOptions(options, this.config.limits);
      return this.coordinator.scan(options);
    });
  }
}

/** Runs `fn`, turning a synchronous throw into a rejected promise. */
function guard<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (err) {
    return Promise.reject(err);
  }
}

export const StoreToken: ServiceIdentifier<Store> = Symbol.for('dynamis.Store');
