// db_bench-style benchmark: engine-lsm side by side with classic-level
// (LevelDB via N-API), engine-memory (the in-memory ceiling) and lmdb (the
// memory-mapped read reference), in one run. engine-lsm runs twice: with its
// default residentTableBytes ('lsm': tables whole in memory, as LevelDB
// mmaps its table files) and without ('lsm-pread': every block through
// pread and the block cache). Each engine runs in its own
// child process; the table prints ops/s and the ratios.
//
//   npm run bench -w @dynamis/engine-lsm -- [--num 1000000] [--reads 200000] [--runs 3] [--json out.json]
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

interface WorkerOutput {
  engine: string;
  results: Array<{ workload: string; opsPerSec: number; found?: number }>;
  figures: Record<string, number>;
  peakRssBytes: number;
}

const { values: args } = parseArgs({
  options: {
    num: { type: 'string', default: '1000000' },
    reads: { type: 'string', default: '200000' },
    runs: { type: 'string', default: '1' },
    engines: { type: 'string', default: 'lsm,classic-level,memory,lmdb,lsm-pread' },
    json: { type: 'string' },
    dir: { type: 'string', default: join(tmpdir(), 'dynamis-bench') },
  },
});

const PLAN: Array<{ suite: 'full' | 'reads' | 'durable'; engines: string[] }> = [
  { suite: 'full', engines: ['lsm', 'classic-level', 'memory', 'lsm-pread'] },
  { suite: 'reads', engines: ['lmdb'] },
  { suite: 'durable', engines: ['lsm', 'classic-level'] },
];

function runWorker(engine: string, suite: string): WorkerOutput {
  process.stderr.write(`${engine} / ${suite} (num=${args.num}, reads=${args.reads})\n`);
  const out = execFileSync(
    process.execPath,
    ['--max-old-space-size=4096', join(__dirname, 'worker.js'), engine, join(args.dir!, engine), args.num!, args.reads!, suite],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 16 * 1024 * 1024,
    },
  );
  return JSON.parse(out.trim().split('\n').pop()!) as WorkerOutput;
}

/** The issue's targets: label, workload, minimum ratio engine-lsm / classic-level. */
const TARGETS: Array<[string, string, number]> = [
  ['fillrandom, awaited', 'fillrandom', 3],
  ['readrandom, awaited', 'readrandom', 3],
  ['readmissing, awaited', 'readmissing', 3],
  ['fillrandom, 64 in flight', 'fillrandom x64', 1.5],
  ['readrandom, 64 in flight', 'readrandom x64', 1.5],
  ['fillbatch(1000)', 'fillbatch(1000)', 1],
  ["durable 'always' x64 vs classic sync x1", 'durable', 5],
];

function ratioOf(a: number | undefined, b: number | undefined): number | undefined {
  return a === undefined || b === undefined ? undefined : a / b;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function main(): void {
  const wanted = new Set(args.engines!.split(','));
  const samples = new Map<string, number[]>(); // `${engine}|${workload}` → ops/s per run
  const extra: Record<string, { figures: Record<string, number>; peakRssMiB: number }> = {};
  for (let run = 0; run < Number(args.runs); run++) {
    for (const { suite, engines } of PLAN) {
      for (const engine of engines.filter((e) => wanted.has(e))) {
        const out = runWorker(engine, suite);
        for (const r of out.results) {
          const k = `${engine}|${r.workload}`;
          samples.set(k, [...(samples.get(k) ?? []), r.opsPerSec]);
        }
        const prev = extra[`${engine}/${suite}`];
        extra[`${engine}/${suite}`] = {
          figures: { ...prev?.figures, ...out.figures },
          peakRssMiB: Math.max(prev?.peakRssMiB ?? 0, out.peakRssBytes / 2 ** 20),
        };
      }
    }
  }
  const med = (engine: string, w: string): number | undefined => {
    const s = samples.get(`${engine}|${w}`);
    return s === undefined ? undefined : median(s);
  };
  const workloads = [...new Set([...samples.keys()].map((k) => k.split('|')[1]!))];
  const fmt = (x: number | undefined): string => (x === undefined ? '—' : Math.round(x).toLocaleString('en-US'));
  const ratio = (a: number | undefined, b: number | undefined): string =>
    a === undefined || b === undefined ? '—' : (a / b).toFixed(2) + '×';
  const rows = workloads.map((w) => {
    const lsm = med('lsm', w);
    const cl = med('classic-level', w);
    const lm = med('lmdb', w);
    const pread = med('lsm-pread', w);
    return `| ${w} | ${fmt(lsm)} | ${fmt(cl)} | ${ratio(lsm, cl)} | ${fmt(pread)} | ${ratio(pread, cl)} | ${fmt(med('memory', w))} | ${fmt(lm)} | ${ratio(lsm, lm)} |`;
  });
  const durable1 = med('classic-level', 'fillsync x1');
  const durable64 = med('lsm', 'fillsync x64');
  const lines = [
    `db_bench-style, ${args.num} keys (16 B keys, 100 B values), ${args.reads} reads, median of ${args.runs} run(s), node ${process.version}, ${cpus().length} cores`,
    '',
    '| workload | engine-lsm ops/s | classic-level ops/s | lsm / classic | lsm-pread ops/s | lsm-pread / classic | engine-memory ops/s | lmdb ops/s | lsm / lmdb |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    '',
    `durable: engine-lsm 'always' with 64 writers vs classic-level sync put awaited one at a time: ${ratio(durable64, durable1)}`,
    '',
    'targets (issue 3), engine-lsm / classic-level:',
    ...TARGETS.map(([label, w, goal]) => {
      const r = w === 'durable' ? ratioOf(durable64, durable1) : ratioOf(med('lsm', w), med('classic-level', w));
      return `- ${label} >= ${goal}×: ${r === undefined ? '—' : `${r.toFixed(2)}× ${r >= goal ? 'met' : `MISSED by ${Math.round((1 - r / goal) * 100)}%`}`}`;
    }),
    '',
    ...Object.entries(extra).map(
      ([k, v]) =>
        `- ${k}: peak RSS ${v.peakRssMiB.toFixed(0)} MiB${
          Object.keys(v.figures).length
            ? ', ' +
              Object.entries(v.figures)
                .map(([f, x]) => `${f}=${Number.isInteger(x) ? x : x.toFixed(2)}`)
                .join(', ')
            : ''
        }`,
    ),
  ];
  process.stdout.write(lines.join('\n') + '\n');
  if (args.json !== undefined) writeFileSync(args.json, JSON.stringify({ args, samples: Object.fromEntries(samples), extra }, null, 2));
}

main();
