import { DynamisError, type Consistency, type DynamisConfig } from '@dynamis/core';
import { sloppyConfigProblem } from './sloppy';

/** N, and the default W and R resolved to replica counts. */
export interface QuorumLevels {
  readonly n: number;
  readonly w: number;
  readonly r: number;
}

/**
 * The number of replicas `level` asks for out of `n`: one → 1, quorum →
 * ⌊n/2⌋+1, all → n, a number → itself. Throws INVALID_ARGUMENT for a level
 * above `n` (or not a positive integer), naming `what` ('write', 'read').
 */
export function replicasFor(level: Consistency, n: number, what: string): number {
  const count = level === 'one' ? 1 : level === 'quorum' ? Math.floor(n / 2) + 1 : level === 'all' ? n : level;
  if (typeof count !== 'number' || !Number.isInteger(count) || count < 1) {
    throw new DynamisError('INVALID_ARGUMENT', `${what} consistency must be one, quorum, all or a positive integer, got ${String(level)}`, {
      details: { consistency: level },
    });
  }
  if (count > n) {
    throw new DynamisError('INVALID_ARGUMENT', `${what} consistency ${String(level)} asks for ${count} replicas but N is ${n}`, {
      details: { consistency: level, required: count, n },
    });
  }
  return count;
}

/**
 * Reads N/W/R from the config's `replication` section. Throws INVALID_CONFIG
 * when W or R exceed N, or when `sloppyQuorum` is true on a node without
 * hinted handoff (`hintsInstalled` false: no HintStore bound), so that option
 * is refused rather than accepted and ignored.
 */
export function quorumLevels(config: DynamisConfig, hintsInstalled = false): QuorumLevels {
  const rep = config.replication;
  const problems: { path: string; message: string }[] = [];
  const sloppy = sloppyConfigProblem(rep.sloppyQuorum, hintsInstalled);
  if (sloppy !== undefined) problems.push(sloppy);
  const level = (value: Consistency, key: 'w' | 'r'): number => {
    try {
      return replicasFor(value, rep.n, key === 'w' ? 'write' : 'read');
    } catch (err) {
      problems.push({ path: `replication.${key}`, message: (err as Error).message });
      return 1;
    }
  };
  const levels = { n: rep.n, w: level(rep.w, 'w'), r: level(rep.r, 'r') };
  if (problems.length > 0) {
    throw new DynamisError(
      'INVALID_CONFIG',
      `Invalid replication config for @dynamis/quorum: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      {
        details: { problems },
      },
    );
  }
  return levels;
}
