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
 * Durable hints for hinted handoff. `add` resolves only once the hint is
 * durable (it survives a restart of this node); a hint is removed only after
 * its target acknowledged it (`acknowledge`).
 */
export interface HintStore {
  add(target: NodeId, key: string, siblings: readonly Sibling[]): Promise<void>;
  /** Oldest pending hints for `target`, up to `limit`. */
  pending(target: NodeId, limit: number): Promise<Hint[]>;
  /** Deletes delivered hints. Unknown ids are ignored. */
  acknowledge(target: NodeId, ids: readonly string[]): Promise<void>;
  stats(): HintStats;
}

export const HintStoreToken: ServiceIdentifier<HintStore> = Symbol.for('dynamis.HintStore');
