import { gossipOptionsSchema, type GossipOptionsInput } from './options';

/** ⌈log2(n+1)⌉, at least 1: the log n of the protocol's formulas. */
export function logN(n: number): number {
  return Math.max(1, Math.ceil(Math.log2(n + 1)));
}

/** The protocol's time bounds for a cluster of `n` members not left (README "Guarantees"). */
export interface GossipBounds {
  /** S: a suspect not refuting within this is declared down: suspicionMultiplier × ⌈log2(n+1)⌉ × gossipIntervalMs. */
  readonly suspicionMs: number;
  /** How many messages each node piggybacks one update on: retransmitMultiplier × ⌈log2(n+1)⌉. */
  readonly retransmits: number;
  /**
   * Worst case, on every node independently of gossip: a crashed member is
   * down on each node within (2(n−1) + 1) × probeIntervalMs + S (each node
   * probes every live member once per shuffled pass of n−1 periods, so at
   * most 2(n−1) periods apart; the probe ends within one period; then the
   * suspicion period). Add minTransitionMs if the member flipped up/down
   * less than that before.
   */
  readonly detectionMs: number;
  /**
   * The same, with high probability through gossip: some node probes the
   * member within `periods` protocol periods except with probability about
   * e^−periods, the probe ends within one more, its suspicion reaches
   * everyone within 2·log2(n)+4 gossip rounds, and each node then declares
   * it down within S: (periods + 1) × probeIntervalMs + (2⌈log2 n⌉ + 4) ×
   * gossipIntervalMs + S.
   */
  likelyDetectionMs(periods: number): number;
}

/** The bounds for `n` members under `options` (defaults applied; INVALID_CONFIG as gossipMembership). */
export function gossipBounds(n: number, options: GossipOptionsInput = {}): GossipBounds {
  const o = gossipOptionsSchema.parse(options);
  const suspicionMs = o.suspicionMultiplier * logN(n) * o.gossipIntervalMs;
  const rounds = 2 * Math.ceil(Math.log2(Math.max(2, n))) + 4;
  return {
    suspicionMs,
    retransmits: o.retransmitMultiplier * logN(n),
    detectionMs: (2 * (n - 1) + 1) * o.probeIntervalMs + suspicionMs,
    likelyDetectionMs: (periods) => (periods + 1) * o.probeIntervalMs + rounds * o.gossipIntervalMs + suspicionMs,
  };
}
