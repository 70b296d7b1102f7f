import type { ConfigResult, ExperimentResults, PercentileFigures } from './results';
import { label } from './svgCharts';

/** One report table: what both the Markdown and the HTML report show. */
export interface ReportTable {
  readonly id: string;
  readonly title: string;
  readonly headers: readonly string[];
  readonly rows: readonly (readonly string[])[];
  /** A sentence under the table saying how to read it. */
  readonly note: string;
}

const NA = 'n/a';

/** A figure with 2 decimals, or n/a. */
const fixed = (v: number | null | undefined, digits = 2): string => (v === null || v === undefined ? NA : v.toFixed(digits));
/** A count, or n/a. */
const whole = (v: number | null | undefined): string => (v === null || v === undefined ? NA : String(Math.round(v)));
/** A latency in ms, or n/a when the operation kind was never issued. */
const ms = (p: PercentileFigures | null | undefined, key: keyof PercentileFigures): string =>
  p === null || p === undefined ? NA : label(p[key]);

/** `{ TIMEOUT: 2, CONFLICT: 1 }` → `1 CONFLICT, 2 TIMEOUT` (codes sorted). */
function codes(byCode: Readonly<Record<string, number>>): string {
  return Object.keys(byCode)
    .sort()
    .map((code) => `${byCode[code]} ${code}`)
    .join(', ');
}

function settings(c: ConfigResult): string[] {
  const s = c.settings;
  return [
    c.name,
    s.resolver,
    s.engine,
    s.writes,
    `${s.n}/${s.w}/${s.r}`,
    s.w + s.r > s.n ? 'yes' : 'no',
    s.compaction ?? (s.engine === 'lsm' ? 'leveled (default)' : NA),
    s.fsync ?? (s.engine === 'lsm' ? 'interval (default)' : NA),
    s.memtableBytes === undefined ? 'default' : String(s.memtableBytes),
    s.partitions === undefined ? '256 (default)' : String(s.partitions),
  ];
}

/** Pure: the report's tables, in order, from `results` (deterministic: same input, same cells). */
export function reportTables(results: ExperimentResults): ReportTable[] {
  const cs = results.configurations;
  const tables: ReportTable[] = [
    {
      id: 'configurations',
      title: 'Configurations',
      headers: [
        'configuration',
        'resolver',
        'engine',
        'client writes',
        'N/W/R',
        'R+W>N',
        'compaction',
        'fsync',
        'memtable bytes',
        'partitions',
      ],
      rows: cs.map(settings),
      note: "Each configuration ran on a fresh cluster of its own, one after the other. Client writes: 'blind' puts carry no causal context (under vclock each adds a sibling until a write with context supersedes them); 'with-context' puts first get the key and write with its context.",
    },
    {
      id: 'throughput',
      title: 'Throughput',
      headers: ['configuration', 'load ops/s', 'run ops/s', 'run ops', 'run errors', 'run seconds'],
      rows: cs.map((c) => [
        c.name,
        label(c.load.opsPerSec),
        label(c.run.opsPerSec),
        whole(c.run.operations),
        c.run.errors === 0 ? '0' : `${c.run.errors} (${codes(c.run.errorsByCode)})`,
        fixed(c.run.seconds),
      ]),
      note: 'Successful operations per second over the whole phase (closed loop at the workload’s concurrency); failed operations by error code.',
    },
    {
      id: 'latency',
      title: 'Latency of the run phase (ms)',
      headers: ['configuration', 'p50', 'p95', 'p99', 'p99.9', 'max', 'read p99', 'update p99'],
      rows: cs.map((c) => {
        const all = c.run.latencyMs.all;
        return [
          c.name,
          ms(all, 'p50'),
          ms(all, 'p95'),
          ms(all, 'p99'),
          ms(all, 'p999'),
          ms(all, 'max'),
          ms(c.run.latencyMs.read, 'p99'),
          ms(c.run.latencyMs.update, 'p99'),
        ];
      }),
      note: 'Client-side latency of every successful operation (HDR histogram); n/a: the workload issued no such operation.',
    },
    {
      id: 'storage',
      title: 'Write and space amplification',
      headers: ['configuration', 'engine', 'write amp.', 'space amp.', 'user bytes written', 'bytes written to disk', 'SSTable bytes'],
      rows: cs.map((c) => [
        c.name,
        c.storage.engine,
        fixed(c.storage.writeAmplification),
        fixed(c.storage.spaceAmplification),
        whole(c.storage.userBytesWritten),
        whole(c.storage.diskBytesWritten),
        whole(c.storage.sstBytes),
      ]),
      note: 'Summed over every node after the run phase. Write amp. = (WAL + flush + compaction bytes) / user bytes the engines were given; space amp. = SSTable bytes / their estimated live bytes (n/a before anything was flushed, and for engines without these counters).',
    },
    {
      id: 'siblings',
      title: 'Siblings seen by reads, and repair',
      headers: [
        'configuration',
        'reads',
        'found',
        'reads with siblings',
        'sibling values',
        'most siblings',
        'read repairs',
        'anti-entropy keys',
        'anti-entropy bytes',
      ],
      rows: cs.map((c) => [
        c.name,
        whole(c.reads.reads),
        whole(c.reads.found),
        whole(c.reads.withSiblings),
        whole(c.reads.siblings),
        whole(c.reads.maxSiblings),
        whole(c.repair.readRepairs),
        whole(c.repair.antiEntropyKeys),
        whole(c.repair.antiEntropyBytes),
      ]),
      note: 'Reads of the run phase. Read repairs: replicas sent the reconciled record (a count; the nodes do not export repair bytes). Anti-entropy: keys and bytes exchanged by Merkle-tree repair, summed over nodes.',
    },
  ];
  if (results.staleness !== null) tables.push(stalenessTable(results));
  return tables;
}

function stalenessTable(results: ExperimentResults): ReportTable {
  const delays = results.staleness?.delaysMs ?? [];
  return {
    id: 'staleness',
    title: 'Staleness: P(stale | t)',
    headers: ['configuration', ...delays.map((t) => `t=${t} ms`)],
    rows: results.configurations.map((c) => [
      c.name,
      ...delays.map((t) => {
        const p = c.staleness?.find((s) => s.delayMs === t);
        if (p === undefined) return NA;
        return `${p.pStale.toFixed(3)} (${p.stale}/${p.trials}${p.errors > 0 ? `; failed: ${codes(p.errorsByCode)}` : ''})`;
      }),
    ]),
    note: 'PBS t-visibility (Bailis et al., VLDB 2012): a write of a fresh key through one node, acknowledged at W; t ms later a read through another node at R. P(stale) = reads that did not return the value (stale/trials). When it ran: see the probe line above.',
  };
}
