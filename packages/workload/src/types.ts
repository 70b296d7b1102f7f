/**
 * What a workload drives: a key-value store seen through three calls. The
 * CLI maps it onto DynamisClient; tests can use any in-process store.
 */
export interface WorkloadTarget {
  /** Writes `value` under `key`; rejects on failure (a DynamisError is counted by its code). */
  put(key: string, value: Uint8Array): Promise<void>;
  /** Reads `key`; `found: false` for a missing key (counted as `notFound`, not as an error); rejects on failure. */
  get(key: string): Promise<{ found: boolean }>;
  /** Up to `count` records from `startKey` on; absent when the store cannot scan (workload E then fails with a clear error). */
  scan?(startKey: string, count: number): Promise<number>;
}

/** The six YCSB core workloads. */
export const WORKLOAD_NAMES = ['A', 'B', 'C', 'D', 'E', 'F'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

/** YCSB's request distributions (which record an operation touches). */
export const DISTRIBUTIONS = ['zipfian', 'uniform', 'latest'] as const;
export type Distribution = (typeof DISTRIBUTIONS)[number];

/** One workload run: checked by validateSpec (INVALID_ARGUMENT naming the field). */
export interface WorkloadSpec {
  workload: WorkloadName;
  /** YCSB `recordcount`: records the load phase inserts, and the key space the run phase starts from. */
  records: number;
  /** YCSB `operationcount`: operations the run phase issues. */
  operations: number;
  /** Requests in flight (closed loops). */
  concurrency: number;
  /** Bytes of each value written (YCSB's default record is 10 fields of 100 bytes: 1000). */
  valueBytes: number;
  /** Overrides the workload's request distribution (D: latest, the others: zipfian). */
  distribution?: Distribution;
  /** Seeds every random choice (operation, key, scan length, value bytes); a random seed when absent. */
  seed?: number;
}

/** The operation types; `rmw` is workload F's read-modify-write (one get then one put of the same record). */
export const OPERATION_TYPES = ['read', 'update', 'insert', 'scan', 'rmw'] as const;
export type OperationType = (typeof OPERATION_TYPES)[number];

/** Latency percentiles of one operation type, in milliseconds (HDR histogram, 3 significant digits). */
export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** What one phase (load or run) measured. */
export interface PhaseResult {
  /** Operations issued and settled (succeeded or failed). */
  operations: number;
  /** Operations that rejected; their latency is not recorded. */
  errors: number;
  /** Wall-clock seconds from the first operation issued to the last settled. */
  seconds: number;
  /** Successful operations per second: (operations − errors) / seconds. */
  opsPerSec: number;
  /** Per type, and `all` for every successful operation (an rmw counts once, as its whole); undefined when none succeeded. */
  latencyMs: Record<'all' | OperationType, Percentiles | undefined>;
  /** Failures by DynamisError code; anything else that rejects counts as `UNEXPECTED`. */
  errorsByCode: Record<string, number>;
  /** Reads (and the read of an rmw) that found no record: not errors, but a loaded store should have none. */
  notFound: number;
  /** Records returned by all scans together. */
  scannedRecords: number;
  /** The seed the phase used (spec.seed, or the one drawn for it). */
  seed: number;
  /** The message of the first failure, if any. */
  firstError?: string;
}
