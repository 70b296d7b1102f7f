import type { ServiceIdentifier } from 'inversify';
import type { CausalContext, NodeId, Sibling, Version } from './types';

/**
 * The only code that understands versions.
 *
 * Contract (checked by @dynamis/testkit's conflictResolverContract):
 * - `merge` is commutative, associative and idempotent over sibling sets, and
 *   never drops a sibling that no other sibling supersedes; it returns
 *   siblings in a deterministic order (so replicas encode identical records).
 * - A version stamped with the context of a read supersedes every sibling
 *   that read returned.
 * - Pure: no I/O, no timers; time comes through the `now` arguments. A
 *   resolver may keep monotonic state (e.g. an HLC's highest timestamp seen)
 *   so long as the results of merge/context/descends do not depend on it.
 * - Versions and contexts are distinct (see types.ts): `merge`, `stamp` and
 *   `validate` take versions; `stamp`'s context, `descends` and
 *   `validateContext` take contexts. Untrusted bytes are validated before
 *   any other method sees them; the other methods may throw INVALID_ARGUMENT
 *   on malformed input but are not required to check everything.
 */
export interface ConflictResolver {
  /** Short name, e.g. 'lww' or 'vclock'. */
  readonly name: string;
  /**
   * Present when versions carry wall-clock time: `validate` refuses a
   * version more than this many ms ahead of `now` (INVALID_ARGUMENT with
   * `details.clockSkew: true`). A coordinator then writes its own replica
   * only once another replica accepted the version (quorum's
   * LocalWriteGate), so a coordinator whose clock runs ahead cannot keep
   * what every other replica refuses.
   */
  readonly maxSkewMs?: number;
  /**
   * True when every version `stamp` returns supersedes (under `merge`) every
   * version this same instance stamped before, whatever `local` holds: an
   * HLC that never goes backwards (LWW) has it; vector clocks do not (a dot
   * comes from `local`). A coordinator then releases a key's lock once the
   * version is stamped, instead of after its own replica stored the write:
   * the next write of the key through it supersedes this one without having
   * read it back (quorum's unconditional writes; conditional ones keep the
   * lock). The contract suite checks it when set.
   */
  readonly stampsMonotonic?: boolean;
  /**
   * A version for a new write coordinated by `writer`, descending from
   * `context` (what the client read; undefined for a blind write) and from
   * `local`, the coordinator's stored siblings for the key.
   */
  stamp(writer: NodeId, context: CausalContext | undefined, local: readonly Sibling[], now: number): Version;
  /** Stored siblings combined with incoming ones; superseded siblings dropped. */
  merge(stored: readonly Sibling[], incoming: readonly Sibling[]): Sibling[];
  /** The causal context that summarizes `siblings` (returned to readers). */
  context(siblings: readonly Sibling[]): CausalContext;
  /** True if a write carrying `context` supersedes every sibling in `siblings`. */
  descends(context: CausalContext, siblings: readonly Sibling[]): boolean;
  /**
   * Checks a version received from outside (a peer, a stored record): its
   * format, size bounds, timestamps too far ahead of `now`. Throws
   * INVALID_ARGUMENT when rejected and never anything else, whatever the
   * bytes. Parses `version` as a Version only, never as a context.
   */
  validate(version: Version, now: number): void;
  /**
   * Checks a causal context received from a client or a peer: its format and
   * size bounds (and, when `now` is given, timestamps too far ahead of it).
   * The empty context is always valid. Throws INVALID_ARGUMENT when rejected
   * and never anything else, whatever the bytes. Parses `context` as a
   * context only, never as a version: for some resolvers the formats differ.
   */
  validateContext(context: CausalContext, now?: number): void;
}

export const ConflictResolverToken: ServiceIdentifier<ConflictResolver> = Symbol.for('dynamis.ConflictResolver');
