import { randomInt } from 'node:crypto';
import { DynamisError } from '@dynamis/core';
import { SeededSource } from './SeededSource';
import type { WorkloadSpec, WorkloadTarget } from './types';
import { validateSpec } from './validateSpec';

/** Bytes of distinct values kept for writes: up to 64 values, at most 4 MiB together (at least one value). */
const VALUE_POOL_BYTES = 4 * 1024 * 1024;
const VALUE_POOL_MAX = 64;
/** Salt of the value bytes' random stream (OperationStream uses 1–3). */
const VALUE_SALT = 4;

/** What both phases start from. */
export interface PhaseSetup {
  readonly targets: readonly WorkloadTarget[];
  readonly spec: WorkloadSpec;
  readonly seed: number;
  /** Distinct values, written in turn (operation i writes values[i % length]). */
  readonly values: readonly Uint8Array[];
}

/** Validates the spec (INVALID_ARGUMENT) and the targets (INVALID_ARGUMENT for none), resolves the seed and makes the values. */
export function phaseSetup(target: WorkloadTarget | readonly WorkloadTarget[], spec: WorkloadSpec): PhaseSetup {
  validateSpec(spec);
  const targets: readonly WorkloadTarget[] = Array.isArray(target) ? target : [target as WorkloadTarget];
  if (targets.length === 0) throw new DynamisError('INVALID_ARGUMENT', 'a workload needs at least one target');
  const seed = spec.seed ?? randomInt(2 ** 47);
  return { targets, spec, seed, values: valuePool(seed, spec.valueBytes) };
}

function valuePool(seed: number, bytes: number): Uint8Array[] {
  const random = new SeededSource(seed, VALUE_SALT);
  const count = Math.max(1, Math.min(VALUE_POOL_MAX, Math.floor(VALUE_POOL_BYTES / Math.max(1, bytes))));
  return Array.from({ length: count }, () => {
    const value = new Uint8Array(bytes);
    for (let i = 0; i < bytes; i++) value[i] = random.int(256);
    return value;
  });
}
