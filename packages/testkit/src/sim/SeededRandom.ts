import { createHash } from 'node:crypto';
import { DynamisError, type Random } from '@dynamis/core';

// pure-rand 8 publishes subpath exports only, which the repo's node10 module
// resolution cannot see; the types come through a require-mode type import and
// the value through a plain require (Node and Jest honour the exports map).
type PureRandGenerator = typeof import('pure-rand/generator/xoroshiro128plus', {
  with: { 'resolution-mode': 'require' },
});
type PureRandUniformInt = typeof import('pure-rand/distribution/uniformInt', {
  with: { 'resolution-mode': 'require' },
});
type PureRandUniformFloat = typeof import('pure-rand/distribution/uniformFloat64', {
  with: { 'resolution-mode': 'require' },
});
/* eslint-disable @typescript-eslint/no-require-imports */
const { xoroshiro128plusFromState } = require('pure-rand/generator/xoroshiro128plus') as PureRandGenerator;
const { uniformInt } = require('pure-rand/distribution/uniformInt') as PureRandUniformInt;
const { uniformFloat64 } = require('pure-rand/distribution/uniformFloat64') as PureRandUniformFloat;
/* eslint-enable @typescript-eslint/no-require-imports */

type Generator = ReturnType<PureRandGenerator['xoroshiro128plusFromState']>;

/**
 * A deterministic `Random` (xoroshiro128+ from pure-rand).
 *
 * A stream is named by a key: the seed, then one `/label` per `fork`. Its
 * state is derived from the SHA-256 of that key, so the same key always gives
 * the same numbers, and `fork(label)` depends only on the parent's key and the
 * label, never on how many numbers the parent (or any sibling) has drawn:
 * adding a node, or one more draw somewhere, does not shift anyone else's
 * randomness. Forking the same label twice yields two identical streams.
 */
export class SeededRandom implements Random {
  /** The name of this stream, e.g. `42/n1`. */
  readonly key: string;
  private readonly gen: Generator;

  /**
   * `seed` is a safe integer, or a stream key (as in `key`) to recreate that
   * stream from its start. Throws INVALID_ARGUMENT for anything else.
   */
  constructor(seed: number | string) {
    if (typeof seed === 'number' ? !Number.isSafeInteger(seed) : seed.length === 0) {
      throw new DynamisError('INVALID_ARGUMENT', `seed must be a safe integer or a stream key, got ${String(seed)}`);
    }
    this.key = String(seed);
    this.gen = generatorFor(this.key);
  }

  /** A float in [0, 1) with 53 random bits. */
  next(): number {
    return uniformFloat64(this.gen);
  }

  /** An integer in [0, bound). Throws INVALID_ARGUMENT unless `bound` is a positive safe integer. */
  int(bound: number): number {
    if (!Number.isSafeInteger(bound) || bound < 1) {
      throw new DynamisError('INVALID_ARGUMENT', `bound must be a positive integer, got ${bound}`);
    }
    return uniformInt(this.gen, 0, bound - 1);
  }

  /** An integer in [min, max], both included. Throws INVALID_ARGUMENT if min > max or either is not a safe integer. */
  intBetween(min: number, max: number): number {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
      throw new DynamisError('INVALID_ARGUMENT', `need integers min <= max, got ${min}..${max}`);
    }
    return min + this.int(max - min + 1);
  }

  /** True with probability `p` (p <= 0: never; p >= 1: always; neither draws a number). */
  chance(p: number): boolean {
    if (p <= 0) return false;
    if (p >= 1) return true;
    return this.next() < p;
  }

  /** An independent stream named `${key}/${label}`; see the class comment. */
  fork(label: string): SeededRandom {
    return new SeededRandom(`${this.key}/${label}`);
  }
}

function generatorFor(key: string): Generator {
  const digest = createHash('sha256').update(key, 'utf8').digest();
  const state = [digest.readInt32LE(0), digest.readInt32LE(4), digest.readInt32LE(8), digest.readInt32LE(12)];
  // xoroshiro's all-zero state is a fixed point; a SHA-256 prefix of zeros is
  // practically impossible, but stay correct anyway.
  if (!state.some((w) => w !== 0)) state[0] = 1;
  return xoroshiro128plusFromState(state);
}
