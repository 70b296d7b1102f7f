import type { Consistency } from '@dynamis/core';
import { OPERATION_TYPES, WORKLOADS, type Percentiles, type PhaseResult, type WorkloadSpec } from '@dynamis/workload';
import { table } from '../format';

/** What `dynamis bench` ran and measured: the document `--json` prints (README "dynamis bench"). */
export interface BenchOutcome {
  /** The spec with its defaults resolved (distribution and seed always present). */
  readonly spec: Required<WorkloadSpec>;
  /** R and W of every request; undefined: the nodes' defaults. */
  readonly consistency: Consistency | undefined;
  /** Nodes the bench spread its requests over (one client each). */
  readonly nodes: number;
  /** The load phase; undefined with --no-load. */
  readonly load: PhaseResult | undefined;
  readonly run: PhaseResult;
  /** Puts of each phase redone with a read's context after a maxSiblings CONFLICT (clientTarget). */
  readonly rewrites: { readonly load: number; readonly run: number };
}

type JsonPhase = Omit<PhaseResult, 'latencyMs'> & { latencyMs: Record<string, Percentiles | null>; siblingRewrites: number };

/**
 * `outcome` as one line of JSON: {spec, load, run}, each phase a PhaseResult
 * plus `siblingRewrites`; a series with no operation is null (not left
 * out), as is load under --no-load. Pure.
 */
export function benchJson(outcome: BenchOutcome): string {
  const phase = (r: PhaseResult, siblingRewrites: number): JsonPhase => ({
    ...r,
    latencyMs: Object.fromEntries(Object.entries(r.latencyMs).map(([k, v]) => [k, v ?? null])),
    siblingRewrites,
  });
  const spec = { ...outcome.spec, consistency: outcome.consistency ?? null, nodes: outcome.nodes, load: outcome.load !== undefined };
  return `${JSON.stringify({ spec, load: outcome.load === undefined ? null : phase(outcome.load, outcome.rewrites.load), run: phase(outcome.run, outcome.rewrites.run) })}\n`;
}

/** `outcome` for people: a heading, one table row per phase and operation type (ops/s and latency percentiles), then the errors. Pure. */
export function benchText(outcome: BenchOutcome): string {
  const { spec } = outcome;
  const mix = Object.entries(WORKLOADS[spec.workload].proportions)
    .filter(([, p]) => p > 0)
    .map(([type, p]) => `${Math.round(p * 100)}% ${type}`)
    .join(', ');
  const heading =
    `workload ${spec.workload} (${mix}), ${spec.distribution}, ${spec.records} records, ${spec.operations} operations, ` +
    `${spec.concurrency} in flight, ${spec.valueBytes}-byte values, consistency ${outcome.consistency ?? 'node default'}, ` +
    `${outcome.nodes} node${outcome.nodes === 1 ? '' : 's'}, seed ${spec.seed}\n\n`;
  const rows: string[][] = [];
  const phases: [string, PhaseResult | undefined][] = [
    ['load', outcome.load],
    ['run', outcome.run],
  ];
  for (const [name, r] of phases) {
    if (r === undefined) continue;
    for (const type of [...OPERATION_TYPES, 'all'] as const) {
      const p = r.latencyMs[type];
      if (p === undefined || (type === 'all' && name === 'load')) continue;
      rows.push([name, type, String(p.count), String(Math.round(p.count / r.seconds)), ...[p.p50, p.p95, p.p99, p.p999, p.max].map(ms)]);
    }
  }
  const lines = [heading, table(['PHASE', 'OPERATION', 'COUNT', 'OPS/S', 'P50 MS', 'P95 MS', 'P99 MS', 'P99.9 MS', 'MAX MS'], rows), '\n'];
  for (const [name, r] of phases) if (r !== undefined) lines.push(summary(name, r, outcome.rewrites[name as 'load' | 'run']));
  return lines.join('');
}

function summary(name: string, r: PhaseResult, rewrites: number): string {
  const codes = Object.entries(r.errorsByCode)
    .map(([code, n]) => `${code} ${n}`)
    .join(', ');
  const errors = r.errors === 0 ? '0 errors' : `${r.errors} errors (${codes}; first: ${r.firstError ?? '?'})`;
  const scanned = r.latencyMs.scan !== undefined ? `, ${r.scannedRecords} records scanned` : '';
  const rewritten = rewrites > 0 ? `, ${rewrites} puts redone with context (maxSiblings)` : '';
  return `${name}: ${r.operations} operations in ${r.seconds.toFixed(2)} s, ${Math.round(r.opsPerSec)} ops/s, ${errors}, ${r.notFound} not found${scanned}${rewritten}\n`;
}

function ms(v: number): string {
  return v.toFixed(v < 10 ? 3 : 1);
}
