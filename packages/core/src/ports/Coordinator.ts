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
}

export const CoordinatorToken: ServiceIdentifier<Coordinator> = Symbol.for('dynamis.Coordinator');
