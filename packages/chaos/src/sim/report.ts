import { formatOps } from '../history';
import type { ChaosOptions, ChaosReport } from './runChaos';

/** How to run a seed again: the environment and command that replay `report` exactly (same trace digest). */
export function replayCommand(report: ChaosReport, options: Pick<ChaosOptions, 'resolver' | 'engine' | 'disk' | 'workload'>): string {
  const workload = options.workload?.workload ?? 'register';
  const ops = options.workload?.opsPerClient === undefined ? '' : ` --ops ${options.workload.opsPerClient}`;
  return (
    `npm run chaos -- --seed ${report.seed} --nemesis ${report.nemesis} --resolver ${options.resolver} --engine ${options.engine}` +
    ` --disk ${options.disk ?? 'memory'} --workload ${workload}${ops}`
  );
}

/** A failed run, for humans: seed, how to replay it, each failed checker's anomalies, the faults and the minimal history. */
export function describeFailure(report: ChaosReport, options: Parameters<typeof replayCommand>[1]): string {
  const lines = [
    `chaos run failed: seed ${report.seed}, nemesis ${report.nemesis}, resolver ${report.resolver} (trace ${report.traceDigest.slice(0, 16)})`,
    `replay: ${replayCommand(report, options)}`,
  ];
  for (const c of report.checks.filter((c) => !c.valid)) {
    lines.push(`checker ${c.checker}: ${JSON.stringify(c.counts)}`);
    for (const a of c.anomalies) lines.push(`  ${a.kind} ${a.key}: ${a.message}`);
  }
  lines.push(`faults: ${report.faults.join('; ')}`, 'minimal history:', formatOps(report.minimal));
  return lines.join('\n');
}

/** Totals over several runs of one configuration. */
export interface SummaryRow {
  readonly label: string;
  seeds: number;
  failed: number;
  ops: number;
  ok: number;
  fail: number;
  info: number;
  faults: number;
  /** Checker → anomalies over all runs. */
  readonly anomalies: Record<string, number>;
  /** Counters of interest summed over runs (e.g. overwritten-by-unknown). */
  readonly notes: Record<string, number>;
}

/** Adds `report` to the row for its label. */
export function summarize(rows: Map<string, SummaryRow>, label: string, report: ChaosReport): void {
  const row = rows.get(label) ?? { label, seeds: 0, failed: 0, ops: 0, ok: 0, fail: 0, info: 0, faults: 0, anomalies: {}, notes: {} };
  row.seeds++;
  if (!report.valid) row.failed++;
  row.ops += report.ops;
  row.ok += report.outcomes.ok;
  row.fail += report.outcomes.fail;
  row.info += report.outcomes.info;
  row.faults += report.faults.length;
  for (const c of report.checks) {
    row.anomalies[c.checker] = (row.anomalies[c.checker] ?? 0) + (c.counts['anomalies'] ?? 0);
    for (const note of ['overwritten-by-unknown', 'writes-ok', 'adds-ok', 'deletes-ok']) {
      const n = c.counts[note];
      if (n !== undefined) row.notes[note] = (row.notes[note] ?? 0) + n;
    }
  }
  rows.set(label, row);
}

/** The summary table: one line per configuration, then the checker verdicts. */
export function formatSummary(title: string, rows: Iterable<SummaryRow>): string {
  const header = ['configuration', 'seeds', 'failed', 'ops', 'ok', 'fail', 'info', 'faults', 'checkers (anomalies)', 'notes'];
  const body = [...rows].map((r) => [
    r.label,
    String(r.seeds),
    String(r.failed),
    String(r.ops),
    String(r.ok),
    String(r.fail),
    String(r.info),
    String(r.faults),
    Object.entries(r.anomalies)
      .map(([k, v]) => `${k} ${v === 0 ? 'ok' : v}`)
      .join(', '),
    Object.entries(r.notes)
      .map(([k, v]) => `${k} ${v}`)
      .join(', '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [title, line(header), ...body.map(line)].join('\n');
}
