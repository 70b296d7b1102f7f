import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderHtml } from './renderHtml';
import { renderMarkdown } from './renderMarkdown';
import { parseResults, type ExperimentResults } from './results';
import { barChart, lineChart, niceMax, wrapLabel } from './svgCharts';
import { writeReports } from './writeReports';

const FIXTURE = join(__dirname, '..', '..', 'test', 'fixtures', 'results.json');
const load = (): ExperimentResults => parseResults(JSON.parse(readFileSync(FIXTURE, 'utf8')));

/** `v` with every object's keys in reverse order (same data, other JSON bytes). */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (v === null || typeof v !== 'object') return v;
  return Object.fromEntries(
    Object.entries(v)
      .reverse()
      .map(([k, x]) => [k, reversedKeys(x)]),
  );
}

describe('experiment reports from a fixed results.json', () => {
  it('report.md has one table per measure with the figures, n/a where the nodes export none', () => {
    const md = renderMarkdown(load());
    const lines = md.split('\n');
    for (const title of [
      'Configurations',
      'Throughput',
      'Latency of the run phase (ms)',
      'Write and space amplification',
      'Siblings seen by reads, and repair',
      'Staleness: P(stale | t)',
    ])
      expect(lines).toContain(`## ${title}`);
    expect(lines).toContain('| lww W2R2 | lww | lsm | blind | 3/2/2 | yes | leveled | interval (default) | 65536 | 256 (default) |');
    expect(lines).toContain('| vclock W1R1 <mem> | vclock | memory | with-context | 3/1/1 | no | n/a | n/a | default | 64 |');
    expect(lines).toContain('| lww W2R2 | 400 | 1235 | 400 | 0 | 0.80 |');
    expect(lines).toContain('| vclock W1R1 <mem> | 500 | 663 | 400 | 2 (2 TIMEOUT) | 0.60 |');
    expect(lines).toContain('| vclock W1R1 <mem> | 1.50 | 3.50 | 5.75 | 9.50 | 9.50 | 5 | 6 |');
    expect(lines).toContain('| lww W2R2 | 3.25 | 7.50 | 11.8 | 14 | 14 | 10.5 | 12.3 |');
    expect(lines).toContain('| lww W2R2 | lsm | 2.35 | 1.13 | 180000 | 422100 | 150000 |');
    expect(lines).toContain('| vclock W1R1 <mem> | memory | n/a | n/a | n/a | n/a | n/a |');
    expect(lines).toContain('| vclock W1R1 <mem> | 199 | 199 | 3 | 6 | 2 | 41 | 12 | 5120 |');
    expect(lines).toContain('| configuration | t=0 ms | t=5 ms |');
    expect(lines).toContain('| lww W2R2 | 0.000 (0/30) | 0.000 (0/30) |');
    expect(lines).toContain('| vclock W1R1 <mem> | 0.138 (4/29; failed: 1 TIMEOUT) | 0.000 (0/30) |');
    expect(md).toContain('Staleness probe: 30 trials per delay, delays 0, 5 ms, 1 in flight, on the idle cluster after the run phase.');
    expect(md).toContain('Workload (@dynamis/workload): concurrency=8, operations=400, records=200, valueBytes=100, workload=A.');
  });

  it('report.html is self-contained: inline CSS and SVG, no script, no external reference, text escaped', () => {
    const html = renderHtml(load());
    expect(html).toMatch(/^<!doctype html>\n/);
    expect(html).toContain('<style>');
    for (const banned of [/<script/i, /<link/i, /src=/i, /url\(/i, /@import/i, /https?:\/\//i]) expect(html).not.toMatch(banned);
    expect(html).toContain('vclock W1R1 &lt;mem&gt;');
    expect(html).not.toContain('<mem>');
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html.match(/<table>/g)).toHaveLength(6);
    expect(html).toContain('<td>0.138 (4/29; failed: 1 TIMEOUT)</td>');
  });

  it('the SVG charts carry the figures: throughput bars, p50/p99 groups, P(stale) points per configuration', () => {
    const html = renderHtml(load());
    const svgs = html.match(/<svg [\s\S]*?<\/svg>/g)!;
    expect(svgs).toHaveLength(4);
    const [throughput, latency, amplification, staleness] = svgs as [string, string, string, string];
    expect(throughput).toContain('aria-label="Run-phase throughput"');
    expect(throughput).toContain('>1235</text>');
    expect(throughput).toContain('>663</text>');
    expect(latency).toContain('>p50</text>');
    expect(latency).toContain('>p99</text>');
    expect(latency).toContain('>11.8</text>');
    expect(latency).toContain('>1.50</text>');
    expect(amplification).toContain('>2.35</text>');
    expect(amplification).toContain('>n/a</text>');
    expect(staleness).toContain('<title>vclock W1R1 &lt;mem&gt;: t=0 → 0.14</title>');
    expect(staleness).toContain('<title>lww W2R2: t=5 → 0</title>');
    expect(staleness.match(/<path /g)).toHaveLength(2);
  });

  it('the same results render the same bytes, whatever the key order of the JSON', () => {
    const a = load();
    const b = parseResults(reversedKeys(JSON.parse(readFileSync(FIXTURE, 'utf8'))));
    expect(renderMarkdown(b)).toBe(renderMarkdown(a));
    expect(renderHtml(b)).toBe(renderHtml(a));
    const dirs = [mkdtempSync(join(tmpdir(), 'dynamis-report-')), mkdtempSync(join(tmpdir(), 'dynamis-report-'))];
    try {
      const written = dirs.map((d, i) => writeReports(d, i === 0 ? a : b, false));
      expect(written[0]!.map((p) => p.slice(dirs[0]!.length))).toEqual(['/report.md', '/report.html']);
      for (const name of ['report.md', 'report.html'])
        expect(readFileSync(join(dirs[1]!, name))).toEqual(readFileSync(join(dirs[0]!, name)));
    } finally {
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    }
  });

  it('charts scale to the data and mark what was not measured', () => {
    expect([0, 0.03, 0.2, 7, 12, 1234].map(niceMax)).toEqual([1, 0.05, 0.2, 10, 20, 2000]);
    const bars = barChart('t', 'y', ['a', 'b'], [{ name: 's', values: [50, null] }]);
    expect(bars).toContain('height="200.0"'); // 50 of a nice max of 50: the whole plot height
    expect(bars).toContain('>n/a</text>');
    const line = lineChart(
      't',
      'x',
      'y',
      [
        {
          name: 's',
          points: [
            [0, 0.5],
            [10, 0],
          ],
        },
      ],
      1,
    );
    expect(line).toContain('<path d="M64.0,136.0 L624.0,236.0"');
  });

  it('wraps long group labels and puts the legend on as many rows as it needs', () => {
    expect(wrapLabel('vclock W2R2 leveled blind', 12)).toEqual(['vclock W2R2', 'leveled', 'blind']);
    expect(wrapLabel('a b c d e f', 1, 2)).toEqual(['a', 'b…']);
    expect(wrapLabel('unbreakable-name', 4)).toEqual(['unbreakable-name']);
    const groups = ['vclock W2R2 leveled blind', 'b', 'c', 'd', 'e'];
    const bars = barChart('t', 'y', groups, [{ name: 's', values: [1, 2, 3, 4, 5] }]);
    expect(bars).toContain('<tspan x="120.0" dy="0">vclock W2R2</tspan><tspan x="120.0" dy="12">leveled blind</tspan>');
    const names = ['a', 'b', 'c', 'd'];
    const four = lineChart(
      't',
      'x',
      'y',
      names.map((name) => ({ name, points: [[0, 1]] })),
    );
    expect(four).toContain('height="336"');
    expect(four).toContain('<text x="78.0" y="327">d</text>');
    expect(lineChart('t', 'x', 'y', [{ name: 'a', points: [[0, 1]] }])).toContain('height="320"');
  });

  it('the committed example (docs/experiments) is what its results.json renders, byte for byte', () => {
    const dir = join(__dirname, '..', '..', '..', '..', 'docs', 'experiments');
    const results = parseResults(JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')));
    expect(renderMarkdown(results)).toBe(readFileSync(join(dir, 'report.md'), 'utf8'));
    expect(renderHtml(results)).toBe(readFileSync(join(dir, 'report.html'), 'utf8'));
  });
});
