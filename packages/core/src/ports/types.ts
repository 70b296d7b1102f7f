/** A node's stable identity in the cluster ([A-Za-z0-9._-], 1–64 chars). */
export type NodeId = string;

/**
 * An opaque version, produced and compared only by the ConflictResolver
 * (an HLC timestamp for LWW, a dotted version vector for vector clocks).
 */
export type Version = Uint8Array;

/**
 * An opaque causal context, handed to clients with a read and passed back on
 * the next write so that the write supersedes what was read.
 */
export type CausalContext = Uint8Array;

/**
 * One version of a key's value. A record holds every sibling that no other
 * sibling supersedes (one under LWW, possibly several under vector clocks).
 */
export interface Sibling {
  readonly version: Version;
  /** The value, or null for a deletion (tombstone). */
  readonly value: Uint8Array | null;
  /** Coordinator wall-clock time of the write, ms since epoch (for tombstone GC). */
  readonly writtenAt: number;
  /** Absolute expiry time, ms since epoch; absent = never expires. */
  readonly expiresAt?: number;
}

/** Consistency level of one request: a named level or an exact replica count. */
export type Consistency = 'one' | 'quorum' | 'all' | number;
