import type { ServiceIdentifier } from 'inversify';
import type { NodeId, Sibling } from './types';

/** A write kept on behalf of a replica that was down. */
export interface Hint {
  readonly id: string;
  readonly target: NodeId;
  readonly key: string;
  readonly siblings: readonly Sibling[];
  readonly createdAt: number;
}

export interface HintStats {
  /** Pending hints per target node. */
  readonly pending: Readonly<Record<NodeId, number>>;
  /** Hints dropped because a bound (count, bytes, age) was exceeded. */
  readonly dropped: number;
  readonly delivered: number;
}

/**
 * Durable hints for hinted handoff (checked by @dynamis/testkit's
 * hintStoreContract). `add` resolves only once the hint is durable (it
 * survives a restart of this node); a hint is removed only after its target
 * acknowledged it (`acknowledge`), or when a bound drops it.
 *
 * - Bounds per target: a count, a byte size and an age (the hint window).
 *   A hint that would exceed the count or byte bound is not stored: `add`
 *   rejects UNAVAILABLE (`applied: false`) and it counts in `dropped`, so a
 *   caller (a sloppy-quorum coordinator) must not count it as a replica. A
 *   hint older than the window is never returned by `pending`; it is deleted
 *   and counted in `dropped`.
 * - Ids are unique per store and never reused, also across restarts.
 * - Bad arguments (a target that is not a node id, siblings that fail the
 *   replica checks, a bad limit) are INVALID_ARGUMENT; a key the Store would
 *   refuse is INVALID_KEY.
 */
export interface HintStore {
  /** Stores a hint for `target`: merge `siblings` into `key` there. See the bounds above. */
  add(target: NodeId, key: string, siblings: readonly Sibling[]): Promise<void>;
  /** Oldest pending hints for `target`, up to `limit` (an integer >= 0), in add order; [] if none. */
  pending(target: NodeId, limit: number): Promise<Hint[]>;
  /** Deletes delivered hints and counts them in `delivered`. Unknown ids are ignored. */
  acknowledge(target: NodeId, ids: readonly string[]): Promise<void>;
  stats(): HintStats;
}

export const HintStoreToken: ServiceIdentifier<HintStore> = Symbol.for('dynamis.HintStore');
