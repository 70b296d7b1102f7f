import type { Distribution, OperationType, WorkloadName } from './types';

/** The operation mix of one workload: proportions summing to 1, and its default request distribution. */
export interface WorkloadMix {
  readonly proportions: Readonly<Record<OperationType, number>>;
  readonly distribution: Distribution;
}

const mix = (p: Partial<Record<OperationType, number>>, distribution: Distribution = 'zipfian'): WorkloadMix => ({
  proportions: { read: 0, update: 0, insert: 0, scan: 0, rmw: 0, ...p },
  distribution,
});

/**
 * YCSB's core workloads (workloads/workloada … workloadf in the YCSB
 * repository): A update heavy, B read mostly, C read only, D read latest,
 * E short ranges (scan length uniform in 1..MAX_SCAN_LENGTH), F
 * read-modify-write.
 */
export const WORKLOADS: Readonly<Record<WorkloadName, WorkloadMix>> = {
  A: mix({ read: 0.5, update: 0.5 }),
  B: mix({ read: 0.95, update: 0.05 }),
  C: mix({ read: 1 }),
  D: mix({ read: 0.95, insert: 0.05 }, 'latest'),
  E: mix({ scan: 0.95, insert: 0.05 }),
  F: mix({ read: 0.5, rmw: 0.5 }),
};

/** YCSB workload E's `maxscanlength`; the length is uniform in [1, MAX_SCAN_LENGTH]. */
export const MAX_SCAN_LENGTH = 100;

/**
 * The key of record `n`: `user` + n, as YCSB with `insertorder=ordered`
 * (YCSB's default, `hashed`, names record n after fnvhash64(n); here the
 * zipfian chooser already spreads the hot records over the key space).
 */
export function recordKey(n: number): string {
  return `user${n}`;
}
