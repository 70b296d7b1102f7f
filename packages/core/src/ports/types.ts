/** A node's stable identity in the cluster ([A-Za-z0-9._-], 1–64 chars). */
export type NodeId = string;

/**
 * An opaque version, produced and compared only by the ConflictResolver
 * (an HLC timestamp for LWW, a dot plus its causal past for vector clocks).
 * Branded so that a CausalContext cannot be passed where a Version is
 * expected (and vice versa): for some resolvers the two have different
 * formats, and parsing one as the other is a bug, not a coincidence.
 * Bytes from the wire or from storage become a Version only through
 * {@link asVersion}, and must then pass `ConflictResolver.validate`.
 */
export type Version = Uint8Array & { readonly __brand: 'Version' };

/**
 * An opaque causal context, handed to clients with a read and passed back on
 * the next write so that the write supersedes what was read (an HLC timestamp
 * for LWW, a version vector for vector clocks). Branded (see Version); bytes
 * from the wire become a CausalContext only through {@link asCausalContext},
 * and must then pass `ConflictResolver.validateContext`. The empty context
 * (zero bytes) means "nothing was read" for every resolver.
 */
export type CausalContext = Uint8Array & { readonly __brand: 'CausalContext' };

/**
 * Marks bytes as a Version. A cast, not a check: use it only where bytes
 * enter the process (record decoding, wire decoding) or inside a resolver,
 * and validate the result with the resolver before trusting it. No copy.
 */
export function asVersion(bytes: Uint8Array): Version {
  return bytes as Version;
}

/**
 * Marks bytes as a CausalContext. A cast, not a check (see asVersion); the
 * result must pass `ConflictResolver.validateContext` before use. No copy.
 */
export function asCausalContext(bytes: Uint8Array): CausalContext {
  return bytes as CausalContext;
}

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
