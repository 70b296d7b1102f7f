import type { InsertCounter } from './InsertCounter';
import type { SeededSource } from './SeededSource';
import type { Distribution } from './types';
import { ScrambledZipfian } from './zipfian';
import { ZipfianGenerator } from './ZipfianGenerator';

/** Draws of the zipfian chooser before it falls back to a modulo. */
const MAX_REDRAWS = 1000;

/** Picks the record number an operation touches. */
export interface KeyChooser {
  /** A record number below `inserts.limit` (a record that exists). */
  next(): number;
}

/**
 * YCSB CoreWorkload's key choosers over `records` loaded records, of which
 * `inserts` counts the acknowledged ones (records + inserts so far):
 * - `uniform`: uniform over the loaded records only (YCSB's
 *   UniformLongGenerator(0, recordcount − 1)); inserted records are never picked.
 * - `zipfian`: scrambled zipfian over records + expectedInserts (YCSB
 *   sizes it with twice the expected inserts), drawing again while the
 *   number is not yet acknowledged, so the hot records stay the same as
 *   the key space grows (after MAX_REDRAWS misses, the last draw modulo the
 *   limit: a bound YCSB does not have, reached only when the inserts are
 *   far more than the records).
 * - `latest`: YCSB's SkewedLatestGenerator: limit − 1 − zipfian(limit), so
 *   the most recent insert is the most popular.
 */
export function createKeyChooser(
  distribution: Distribution,
  records: number,
  expectedInserts: number,
  inserts: InsertCounter,
  random: SeededSource,
): KeyChooser {
  const uniform = (): number => random.next();
  switch (distribution) {
    case 'uniform':
      return { next: () => random.int(records) };
    case 'zipfian': {
      const zipf = new ScrambledZipfian(records + expectedInserts, uniform);
      return {
        next: () => {
          let n = zipf.next();
          for (let tries = 1; n >= inserts.limit && tries < MAX_REDRAWS; tries++) n = zipf.next();
          return n < inserts.limit ? n : n % inserts.limit;
        },
      };
    }
    case 'latest': {
      const zipf = new ZipfianGenerator(uniform);
      return {
        next: () => {
          const limit = inserts.limit;
          return limit - 1 - zipf.next(limit);
        },
      };
    }
  }
}
