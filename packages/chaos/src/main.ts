// `npm run chaos -- [--seeds N] [--seed S] [--nemesis x] [--resolver lww|vclock] [--engine lsm|memory]
//   [--disk memory|faulty] [--workload register|set] [--ops N] [--history file]`: long simulation sweeps.
import { writeFileSync } from 'node:fs';
import { DynamisError } from '@dynamis/core';
import { nemesisByName } from './nemesis';
import { describeFailure, formatSummary, summarize, type SummaryRow } from './sim/report';
import { runChaos, type ChaosOptions } from './sim/runChaos';
import { toJsonLines } from './history';

interface Args {
  seeds: number;
  seed: number | undefined;
  nemesis: string;
  resolver: 'lww' | 'vclock';
  engine: 'lsm' | 'memory';
  disk: 'memory' | 'faulty';
  workload: 'register' | 'set';
  ops: number;
  history: string | undefined;
}

const USAGE =
  'usage: npm run chaos -- [--seeds N (100)] [--seed S: run only S] [--nemesis name (mixed)] [--resolver lww|vclock (vclock)]\n' +
  '  [--engine lsm|memory (memory)] [--disk memory|faulty (memory)] [--workload register|set (register)] [--ops per client (10)]\n' +
  '  [--history file: write the history of the last failing (or, with --seed, the only) run as JSON lines]';

/** Parses argv; throws INVALID_ARGUMENT with the usage for anything unknown or malformed. */
export function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    seeds: 100,
    seed: undefined,
    nemesis: 'mixed',
    resolver: 'vclock',
    engine: 'memory',
    disk: 'memory',
    workload: 'register',
    ops: 10,
    history: undefined,
  };
  const bad = (why: string): never => {
    throw new DynamisError('INVALID_ARGUMENT', `${why}\n${USAGE}`);
  };
  const int = (v: string | undefined, name: string): number =>
    v !== undefined && /^\d+$/.test(v) ? Number(v) : bad(`--${name} needs a non-negative integer`);
  const oneOf = <T extends string>(v: string | undefined, name: string, allowed: readonly T[]): T =>
    allowed.includes(v as T) ? (v as T) : bad(`--${name} must be one of ${allowed.join(', ')}`);
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const v = argv[++i];
    if (flag === '--seeds') a.seeds = int(v, 'seeds');
    else if (flag === '--seed') a.seed = int(v, 'seed');
    else if (flag === '--nemesis') a.nemesis = v ?? bad('--nemesis needs a name');
    else if (flag === '--resolver') a.resolver = oneOf(v, 'resolver', ['lww', 'vclock']);
    else if (flag === '--engine') a.engine = oneOf(v, 'engine', ['lsm', 'memory']);
    else if (flag === '--disk') a.disk = oneOf(v, 'disk', ['memory', 'faulty']);
    else if (flag === '--workload') a.workload = oneOf(v, 'workload', ['register', 'set']);
    else if (flag === '--ops') a.ops = int(v, 'ops');
    else if (flag === '--history') a.history = v ?? bad('--history needs a file');
    else bad(`unknown argument ${flag}`);
  }
  nemesisByName(a.nemesis); // refuses an unknown name now, not after the first run
  if (a.workload === 'set' && a.resolver !== 'vclock') bad('the set workload needs --resolver vclock (sibling union)');
  return a;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const options: Omit<ChaosOptions, 'seed'> = {
    nemesis: args.nemesis,
    resolver: args.resolver,
    engine: args.engine,
    disk: args.disk,
    workload: { workload: args.workload, opsPerClient: args.ops },
  };
  const seeds = args.seed !== undefined ? [args.seed] : Array.from({ length: args.seeds }, (_, i) => i + 1);
  const rows = new Map<string, SummaryRow>();
  const label = `${args.nemesis} ${args.resolver} ${args.engine}/${args.disk} ${args.workload}`;
  let failed = 0;
  for (const [i, seed] of seeds.entries()) {
    const report = await runChaos({ ...options, seed });
    summarize(rows, label, report);
    if (!report.valid) {
      failed++;
      process.stdout.write(`\n${describeFailure(report, options)}\n`);
    }
    if (args.history !== undefined && (!report.valid || args.seed !== undefined)) writeFileSync(args.history, toJsonLines(report.history));
    if (args.seed !== undefined) process.stdout.write(`seed ${seed}: ${report.valid ? 'valid' : 'INVALID'}, trace ${report.traceDigest}\n`);
    else if ((i + 1) % 10 === 0 || i + 1 === seeds.length) process.stdout.write(`${i + 1}/${seeds.length} seeds, ${failed} failed\n`);
  }
  process.stdout.write(`\n${formatSummary(`chaos: ${seeds.length} seeds`, rows.values())}\n`);
  return failed === 0 ? 0 : 1;
}

if (require.main === module) {
  main().then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}
