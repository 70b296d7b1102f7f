import type { ServiceIdentifier } from 'inversify';
import type { CausalContext, Consistency } from './types';

export interface WriteOptions {
  /** How many replicas must acknowledge (default: the config's W). */
  readonly consistency?: Consistency;
  /** Time to live in ms; the value disappears from reads once it elapses. */
  readonly ttlMs?: number;
  /** The context of a previous read: this write supersedes what was read. */
  readonly context?: CausalContext;
  /** Fails with CONFLICT unless the key has no live value. */
  readonly ifAbsent?: boolean;
  /**
   * Fails with CONFLICT unless `ifVersion` (a context from a read) still
   * supersedes every live sibling: put-if-version.
   */
  readonly ifVersion?: CausalContext;
  /**
   * Lets fallback nodes hold the write as hints for down primaries (default:
   * the config's `replication.sloppyQuorum`). A Coordinator without sloppy
   * quorum, or a node without hinted handoff, refuses `true` (INVALID_ARGUMENT).
   */
  readonly sloppyQuorum?: boolean;
  readonly timeoutMs?: number;
}

export interface ReadOptions {
  /** How many replicas must answer (default: the config's R). */
  readonly consistency?: Consistency;
  readonly timeoutMs?: number;
}

/** One live version of a value as returned to readers. */
export interface VersionedValue {
  readonly value: Uint8Array;
  readonly writtenAt: number;
  readonly expiresAt?: number;
}

export interface ReadResult {
  /** False when the key has no live value (never written, deleted, or expired). */
  readonly found: boolean;
  /** Live siblings: one under LWW, possibly several under vector clocks. */
  readonly siblings: readonly VersionedValue[];
  /** Pass back on the next write to supersede what was read (also when !found). */
  readonly context: CausalContext;
}

export interface WriteResult {
  /** Context of the written version (a read of just this write would return it). */
  readonly context: CausalContext;
  /** Replicas that acknowledged. */
  readonly acks: number;
}

/**
 * One page of a cluster-wide scan (docs/protocol.md "Scan"). Keys are
 * hash-placed, so a scan walks the Q partitions in partition order and,
 * within one, the keys in UTF-8 byte order: pages come ordered by
 * (partition, key), not in key order across partitions. A scan is not a
 * snapshot: a key written or deleted during the walk may or may not appear.
 * Every live key present throughout the walk appears exactly once.
 */
export interface ScanOptions {
  /** Only keys starting with this string (compared as UTF-8 bytes). */
  readonly prefix?: string;
  /** Where to resume: the `cursor` of the previous page (opaque); absent = from the beginning. */
  readonly cursor?: string;
  /** Most items in the page, 1..SCAN_MAX_LIMIT (default SCAN_DEFAULT_LIMIT). */
  readonly limit?: number;
  /**
   * Replicas asked per partition: only 'one' (or 1) is supported: each
   * partition is read from one live replica; anything else is
   * INVALID_ARGUMENT (docs/protocol.md "Scan").
   */
  readonly consistency?: Consistency;
  readonly timeoutMs?: number;
}

/** One live key of a scan page. */
export interface ScanItem {
  readonly key: string;
  /** Its live siblings (one under LWW), as a get returns them. */
  readonly siblings: readonly VersionedValue[];
  /** Pass back on a write to supersede what was scanned (as a get's context). */
  readonly context: CausalContext;
}

/** A scan page: up to `limit` items (possibly fewer, even none, before the end) and where to go on. */
export interface ScanPage {
  readonly items: readonly ScanItem[];
  /** Pass as `cursor` for the next page; null once every partition was walked. */
  readonly cursor: string | null;
}

export type StoreBatchOp =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array; readonly ttlMs?: number; readonly context?: CausalContext }
  | { readonly type: 'del'; readonly key: string; readonly context?: CausalContext };

/**
 * The replication and consistency strategy: where a request goes, how many
 * must answer, how replies are reconciled and repaired.
 *
 * Arguments reaching a Coordinator are already validated by the kernel's
 * Store (key and value limits). Errors: QUORUM_NOT_REACHED (details name who
 * answered and who did not), TIMEOUT, CONFLICT (failed condition),
 * UNAVAILABLE. A missing key is `found: false`, never an error.
 */
export interface Coordinator {
  put(key: string, value: Uint8Array, options: WriteOptions): Promise<WriteResult>;
  get(key: string, options: ReadOptions): Promise<ReadResult>;
  /** Writes a versioned tombstone. Deleting a missing key succeeds. */
  delete(key: string, options: WriteOptions): Promise<WriteResult>;
  /**
   * Applies several writes. A single-node coordinator applies them atomically;
   * a distributed one applies each key independently (no cross-key atomicity).
   */
  batch(ops: readonly StoreBatchOp[], options: WriteOptions): Promise<WriteResult[]>;
  /**
   * One page of a cluster-wide scan (ScanOptions; the Store validated the
   * options). INVALID_ARGUMENT for a malformed cursor or a consistency other
   * than one; QUORUM_NOT_REACHED when no replica of a partition answered.
   */
  scan(options: ScanOptions): Promise<ScanPage>;
}

export const CoordinatorToken: ServiceIdentifier<Coordinator> = Symbol.for('dynamis.Coordinator');
