import { DynamisError } from '@dynamis/core';

/**
 * Faults of one directed link (or of every link). Unset fields inherit: a
 * link's own settings override the network-wide ones, which override
 * DEFAULT_LINK_FAULTS.
 *
 * Requests, replies and one-way sends are datagrams and suffer every fault.
 * A stream is a connection (as over TCP): its frames see the delay, partitions
 * and crashes, never random drop, duplication or reordering.
 */
export interface LinkFaults {
  /** Minimum one-way delay, integer ms >= 0. */
  readonly minDelayMs?: number;
  /** Maximum one-way delay, integer ms >= minDelayMs; each message draws uniformly in between. */
  readonly maxDelayMs?: number;
  /** Probability in [0, 1] that a datagram is lost. */
  readonly dropProbability?: number;
  /** Probability in [0, 1] that a datagram is delivered twice (the copy has its own delay). */
  readonly duplicateProbability?: number;
  /**
   * Probability in [0, 1] that a datagram is held back by an extra 1..reorderMaxExtraMs ms,
   * so later messages overtake it. Without it, a link is FIFO: delay jitter never reorders.
   */
  readonly reorderProbability?: number;
  /** Upper bound of the extra delay of a reordered datagram, integer ms >= 1. */
  readonly reorderMaxExtraMs?: number;
}

export type ResolvedLinkFaults = Required<LinkFaults>;

/** A clean, fast network: 1–5 ms, FIFO, nothing lost. */
export const DEFAULT_LINK_FAULTS: ResolvedLinkFaults = Object.freeze({
  minDelayMs: 1,
  maxDelayMs: 5,
  dropProbability: 0,
  duplicateProbability: 0,
  reorderProbability: 0,
  reorderMaxExtraMs: 20,
});

/**
 * Applies `layer` over `base`. Setting only one delay bound moves the other
 * if needed to keep min <= max. Throws INVALID_ARGUMENT for out-of-range values.
 */
export function mergeLinkFaults(base: ResolvedLinkFaults, layer: LinkFaults | undefined): ResolvedLinkFaults {
  if (layer === undefined) return base;
  let minDelayMs = layer.minDelayMs ?? base.minDelayMs;
  let maxDelayMs = layer.maxDelayMs ?? base.maxDelayMs;
  if (layer.maxDelayMs === undefined) maxDelayMs = Math.max(maxDelayMs, minDelayMs);
  if (layer.minDelayMs === undefined) minDelayMs = Math.min(minDelayMs, maxDelayMs);
  const merged: ResolvedLinkFaults = {
    minDelayMs: ms(minDelayMs, 'minDelayMs', 0),
    maxDelayMs: ms(maxDelayMs, 'maxDelayMs', 0),
    dropProbability: probability(layer.dropProbability ?? base.dropProbability, 'dropProbability'),
    duplicateProbability: probability(layer.duplicateProbability ?? base.duplicateProbability, 'duplicateProbability'),
    reorderProbability: probability(layer.reorderProbability ?? base.reorderProbability, 'reorderProbability'),
    reorderMaxExtraMs: ms(layer.reorderMaxExtraMs ?? base.reorderMaxExtraMs, 'reorderMaxExtraMs', 1),
  };
  if (merged.minDelayMs > merged.maxDelayMs) {
    throw new DynamisError('INVALID_ARGUMENT', `minDelayMs (${merged.minDelayMs}) exceeds maxDelayMs (${merged.maxDelayMs})`);
  }
  return merged;
}

function ms(value: number, name: string, min: number): number {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new DynamisError('INVALID_ARGUMENT', `${name} must be an integer >= ${min}, got ${value}`);
  }
  return value;
}

function probability(value: number, name: string): number {
  if (!(value >= 0 && value <= 1)) {
    throw new DynamisError('INVALID_ARGUMENT', `${name} must be in [0, 1], got ${value}`);
  }
  return value;
}
