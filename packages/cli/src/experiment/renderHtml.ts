import type { ExperimentResults } from './results';
import { reportPreamble } from './renderMarkdown';
import { reportTables, type ReportTable } from './reportTables';
import { barChart, escapeXml, lineChart } from './svgCharts';

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:72em;padding:0 1em;color:#222}
h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em}
table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #ccc;padding:.25em .6em;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#f3f3f3}
p.note{color:#555;font-size:.92em;max-width:60em}
svg{display:block;margin:1em 0;max-width:100%;height:auto;font:11px sans-serif}
svg .title{font-size:13px;font-weight:bold}svg .grid{stroke:#e3e3e3}svg .value{font-size:10px}`;

function table(t: ReportTable): string {
  const head = `<tr>${t.headers.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>`;
  const rows = t.rows.map((r) => `<tr>${r.map((v) => `<td>${escapeXml(v)}</td>`).join('')}</tr>`);
  return [
    `<h2 id="${t.id}">${escapeXml(t.title)}</h2>`,
    '<table>',
    head,
    ...rows,
    '</table>',
    `<p class="note">${escapeXml(t.note)}</p>`,
  ].join('\n');
}

/** The charts placed after the table of the same id. */
function charts(results: ExperimentResults): Record<string, string[]> {
  const cs = results.configurations;
  const names = cs.map((c) => c.name);
  const out: Record<string, string[]> = {
    throughput: [barChart('Run-phase throughput', 'ops/s', names, [{ name: 'run ops/s', values: cs.map((c) => c.run.opsPerSec) }])],
    latency: [
      barChart('Run-phase latency', 'ms', names, [
        { name: 'p50', values: cs.map((c) => c.run.latencyMs.all?.p50 ?? null) },
        { name: 'p99', values: cs.map((c) => c.run.latencyMs.all?.p99 ?? null) },
      ]),
    ],
    storage: [
      barChart('Amplification', 'ratio', names, [
        { name: 'write amp.', values: cs.map((c) => c.storage.writeAmplification) },
        { name: 'space amp.', values: cs.map((c) => c.storage.spaceAmplification) },
      ]),
    ],
  };
  if (results.staleness !== null) {
    const series = cs.map((c) => ({ name: c.name, points: (c.staleness ?? []).map((p) => [p.delayMs, p.pStale] as const) }));
    const top = Math.max(0, ...series.flatMap((s) => s.points.map((p) => p[1])));
    out.staleness = [lineChart('P(stale) vs t', 't: ms after the write was acknowledged', 'P(stale)', series, top === 0 ? 0.1 : undefined)];
  }
  return out;
}

/**
 * Pure: report.html for `results`, self-contained (inline CSS, inline SVG
 * charts; no script, no external reference): the tables of reportTables,
 * bars for throughput, grouped bars for p50/p99 and for amplification, a
 * line of P(stale) vs t per configuration. Same input, same bytes.
 */
export function renderHtml(results: ExperimentResults): string {
  const chartsById = charts(results);
  const body = reportTables(results).map((t) => [table(t), ...(chartsById[t.id] ?? [])].join('\n'));
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>Experiment: ${escapeXml(results.name)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>Experiment: ${escapeXml(results.name)}</h1>`,
    ...reportPreamble(results).map((l) => `<p>${escapeXml(l).replace(/`([^`]*)`/g, '<code>$1</code>')}</p>`),
    ...body,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
