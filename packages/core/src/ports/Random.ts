import type { ServiceIdentifier } from 'inversify';

/**
 * The only source of randomness (jitter, gossip peer choice, ids). Seeded in
 * simulation so a run replays exactly; cryptographically seeded in production.
 * Not for secrets: use node:crypto for keys and nonces.
 */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, bound). `bound` must be a positive integer. */
  int(bound: number): number;
}

export const RandomToken: ServiceIdentifier<Random> = Symbol.for('dynamis.Random');
