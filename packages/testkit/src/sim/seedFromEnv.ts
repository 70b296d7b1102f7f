import { DynamisError } from '@dynamis/core';

/**
 * The seed to run with: DYNAMIS_SEED from the environment when set (to replay
 * a failure), else `defaultSeed`. Throws INVALID_CONFIG if DYNAMIS_SEED is set
 * but is not a safe integer.
 */
export function seedFromEnv(defaultSeed: number, env: NodeJS.ProcessEnv = process.env): number {
  const raw = env['DYNAMIS_SEED'];
  if (raw === undefined || raw.trim() === '') return defaultSeed;
  const seed = Number(raw.trim());
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(seed)) {
    throw new DynamisError('INVALID_CONFIG', `DYNAMIS_SEED must be an integer, got '${raw}'`);
  }
  return seed;
}
