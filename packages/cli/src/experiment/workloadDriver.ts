import type { ClientTarget } from './clientTarget';
import type { Experiment } from './experimentSpec';
import type { PhaseFigures } from './results';

/** Latency percentiles in ms, as @dynamis/workload reports them. */
interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** What a phase returns (@dynamis/workload's PhaseResult, the fields the reports use). */
export interface PhaseOutcome {
  operations: number;
  errors: number;
  seconds: number;
  opsPerSec: number;
  latencyMs: Record<string, Percentiles | undefined>;
  errorsByCode: Record<string, number>;
  /** The message of the first failure, if any. */
  firstError?: string;
}

/** The workload: the load and run phases of @dynamis/workload, driving one target per node. */
export interface WorkloadDriver {
  /** Named in results.json (`driver`). */
  readonly name: string;
  load(
    targets: readonly ClientTarget[],
    spec: Experiment['workload'],
    onProgress: (done: number, total: number) => void,
  ): Promise<PhaseOutcome>;
  run(
    targets: readonly ClientTarget[],
    spec: Experiment['workload'],
    onProgress: (done: number, total: number) => void,
  ): Promise<PhaseOutcome>;
}

/** Pure: a phase outcome as results.json keeps it (an operation kind never issued: null; keys sorted, so the JSON is stable). */
export function phaseFigures(p: PhaseOutcome): PhaseFigures {
  const latencyMs: PhaseFigures['latencyMs'] = {};
  for (const kind of Object.keys(p.latencyMs).sort()) {
    const v = p.latencyMs[kind];
    latencyMs[kind] =
      v === undefined ? null : { count: v.count, p50: v.p50, p95: v.p95, p99: v.p99, p999: v.p999, max: v.max, mean: v.mean };
  }
  const errorsByCode: Record<string, number> = {};
  for (const code of Object.keys(p.errorsByCode).sort()) errorsByCode[code] = p.errorsByCode[code]!;
  return {
    operations: p.operations,
    errors: p.errors,
    seconds: p.seconds,
    opsPerSec: p.opsPerSec,
    latencyMs,
    errorsByCode,
    ...(p.firstError !== undefined ? { firstError: p.firstError } : {}),
  };
}
