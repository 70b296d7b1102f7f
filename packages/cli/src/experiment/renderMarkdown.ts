import type { ExperimentResults } from './results';
import { reportTables } from './reportTables';

/** A Markdown table cell: pipes escaped, line breaks flattened. */
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

/** The lines saying what ran where: shared by both reports. */
export function reportPreamble(results: ExperimentResults): string[] {
  const w = results.workload;
  const workload = Object.keys(w)
    .sort()
    .map((k) => `${k}=${String(w[k])}`)
    .join(', ');
  const lines = [
    `Experiment \`${results.name}\`, started ${results.startedAt}: ${results.configurations.length} configuration(s), each on a fresh local cluster of ${results.nodes} node processes.`,
    `Workload (${results.driver}): ${workload}.`,
    `Host: ${results.host.cpus} CPU(s), Node ${results.host.node} on ${results.host.platform}; every node, the clients and the driver share it, so absolute figures depend on its load — compare configurations within one report.`,
  ];
  const s = results.staleness;
  if (s !== null)
    lines.push(
      `Staleness probe: ${s.samples} trials per delay, delays ${s.delaysMs.join(', ')} ms, ${s.concurrency} in flight, ${s.during === 'run' ? 'alongside the run phase (trials left when it ends run on the idle cluster)' : 'on the idle cluster after the run phase'}.`,
    );
  return lines;
}

/** Pure: report.md for `results`, one table per measure and the staleness table. Same input, same bytes. */
export function renderMarkdown(results: ExperimentResults): string {
  const out = [
    `# Experiment: ${results.name}`,
    '',
    ...reportPreamble(results)
      .flatMap((l) => [l, ''])
      .slice(0, -1),
  ];
  for (const t of reportTables(results)) {
    out.push('', `## ${t.title}`, '', `| ${t.headers.map(cell).join(' | ')} |`, `| ${t.headers.map(() => '---').join(' | ')} |`);
    for (const row of t.rows) out.push(`| ${row.map(cell).join(' | ')} |`);
    out.push('', t.note);
  }
  return `${out.join('\n')}\n`;
}
