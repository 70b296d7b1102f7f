import { injectable } from 'inversify';
import { DynamisError } from '../errors/DynamisError';
import type { Random } from '../ports/Random';

/** Math.random, for production (not for secrets). The default Random. */
@injectable()
export class SystemRandom implements Random {
  next(): number {
    return Math.random();
  }

  int(bound: number): number {
    if (!Number.isInteger(bound) || bound <= 0)
      throw new DynamisError('INVALID_ARGUMENT', `bound must be a positive integer, got ${bound}`);
    return Math.floor(Math.random() * bound);
  }
}
