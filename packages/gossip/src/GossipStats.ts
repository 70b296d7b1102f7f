import { DROP_REASONS, type DropReason } from './messages';

/** Counters of one GossipMembership since construction (see README "Guarantees"). */
export interface GossipStats {
  /** Refused messages and entries, by reason; a refusal never stops the node. */
  readonly dropped: Readonly<Record<DropReason, number>>;
  /** Times this node raised its incarnation to answer an accusation. */
  readonly refutations: number;
  /** Probes of this node that failed directly and indirectly (the member was then suspected). */
  readonly failedProbes: number;
  /** Received entries whose weight was above maxAcceptedWeight, taken as maxAcceptedWeight. */
  readonly clampedWeights: number;
  /** Members learned from a third party that then proved they exist (a direct answer or message): now placed. */
  readonly verified: number;
}

/** The mutable counters behind GossipStats. */
export class StatsCounters {
  readonly dropped = Object.fromEntries(DROP_REASONS.map((r) => [r, 0])) as Record<DropReason, number>;
  refutations = 0;
  failedProbes = 0;
  clampedWeights = 0;
  verified = 0;

  snapshot(): GossipStats {
    const { refutations, failedProbes, clampedWeights, verified } = this;
    return { dropped: { ...this.dropped }, refutations, failedProbes, clampedWeights, verified };
  }
}
