import { DynamisError } from '@dynamis/core';
import { DISTRIBUTIONS, WORKLOAD_NAMES, type WorkloadSpec } from './types';

/** Largest record count: the scrambled zipfian chooser reduces modulo at most 2^36 records (with the expected inserts). */
export const MAX_RECORDS = 2 ** 32;
/** Largest operation count of one phase. */
export const MAX_OPERATIONS = 2 ** 32;
/** Largest number of requests in flight. */
export const MAX_CONCURRENCY = 10_000;
/** Largest value: 16 MiB (a node refuses values above its own limit, 1 MiB by default, with VALUE_TOO_LARGE). */
export const MAX_VALUE_BYTES = 16 * 1024 * 1024;

/**
 * Checks `spec` and returns it; throws INVALID_ARGUMENT naming the field
 * for an unknown workload or distribution, a count that is not an integer
 * in its range (records ≥ 1, operations ≥ 0, concurrency ≥ 1, valueBytes ≥ 0)
 * or a seed that is not a safe integer.
 */
export function validateSpec(spec: WorkloadSpec): WorkloadSpec {
  if (!(WORKLOAD_NAMES as readonly string[]).includes(spec.workload))
    throw invalid('workload', `must be one of ${WORKLOAD_NAMES.join(', ')}`, spec.workload);
  if (spec.distribution !== undefined && !(DISTRIBUTIONS as readonly string[]).includes(spec.distribution))
    throw invalid('distribution', `must be one of ${DISTRIBUTIONS.join(', ')}`, spec.distribution);
  integer('records', spec.records, 1, MAX_RECORDS);
  integer('operations', spec.operations, 0, MAX_OPERATIONS);
  integer('concurrency', spec.concurrency, 1, MAX_CONCURRENCY);
  integer('valueBytes', spec.valueBytes, 0, MAX_VALUE_BYTES);
  if (spec.seed !== undefined && !Number.isSafeInteger(spec.seed)) throw invalid('seed', 'must be a safe integer', spec.seed);
  return spec;
}

function integer(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(field, `must be an integer in [${min}, ${max}]`, value);
}

function invalid(field: string, rule: string, value: unknown): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', `workload spec: ${field} ${rule}, got ${String(value)}`, { details: { field } });
}
