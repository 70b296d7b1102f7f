import { DynamisError, SystemClock } from '@dynamis/core';
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { readExperimentFile } from '../experiment/experimentSpec';
import { parseResults, type ExperimentResults } from '../experiment/results';
import { runExperiment } from '../experiment/runExperiment';
import type { ConfigCluster } from '../experiment/configCluster';
import type { WorkloadDriver } from '../experiment/workloadDriver';
import { writeReports } from '../experiment/writeReports';
import { EXIT } from '../exitCodes';
import type { Io } from '../io';

type Run = (work: () => Promise<number | undefined>) => Promise<void>;

/** Options of `dynamis experiment`, as parsed. */
interface ExperimentOptions {
  readonly out?: string;
  readonly logLevel: string;
  readonly render?: boolean;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

/**
 * `dynamis experiment FILE` (README "dynamis experiment"): runs the
 * experiment FILE describes and writes results.json, report.md and
 * report.html to --out (default ./experiments/<name>-<UTC timestamp>);
 * progress on stderr, the three paths on stdout. With --render, FILE is a
 * results.json whose reports are rendered again, nothing run. Exit 2 for a
 * bad file or option (nothing started), 3 when a cluster fails.
 */
export function addExperimentCommand(program: Command, io: Io, run: Run, driver: () => Promise<WorkloadDriver>): void {
  program
    .command('experiment')
    .description('run one workload under several configurations, each on a fresh local cluster; write JSON, Markdown and HTML reports')
    .argument('<file>', 'the experiment (JSON: name, nodes, workload, staleness, configurations)')
    .option('--out <dir>', 'where to write results.json, report.md and report.html (default ./experiments/<name>-<timestamp>)')
    .option('--log-level <l>', "nodes' log level: debug | info | warn | error | silent (their stderr is shown)", 'warn')
    .option('--render', 'FILE is a results.json: write report.md and report.html from it again, running nothing')
    .action((file: string, opts: ExperimentOptions) => run(() => runExperimentCommand(file, opts, io, driver)));
}

async function runExperimentCommand(file: string, opts: ExperimentOptions, io: Io, driver: () => Promise<WorkloadDriver>): Promise<number> {
  if (!LEVELS.includes(opts.logLevel))
    throw new DynamisError('INVALID_ARGUMENT', `--log-level must be one of ${LEVELS.join(', ')}, got '${opts.logLevel}'`);
  const path = resolve(io.cwd, file);
  const clock = new SystemClock();
  let results: ExperimentResults;
  let out: string;
  if (opts.render === true) {
    results = readResults(path);
    out = resolve(io.cwd, opts.out ?? join(path, '..'));
  } else {
    const exp = readExperimentFile(path);
    const stamp = new Date(clock.now())
      .toISOString()
      .replace(/\.\d+Z$/, 'Z')
      .replace(/:/g, '-');
    out = resolve(io.cwd, opts.out ?? join('experiments', `${exp.name}-${stamp}`));
    // The command's environment decides where temporary files go, like os.tmpdir() does for the process.
    const tempRoot = io.env.TMPDIR !== undefined && io.env.TMPDIR !== '' ? io.env.TMPDIR : tmpdir();
    const signals = new ExperimentSignals(io);
    try {
      results = await runExperiment(exp, {
        command: io.self,
        tempRoot,
        clock,
        driver: await driver(),
        logLevel: opts.logLevel,
        progress: (line) => io.err(`${line}\n`),
        onCluster: (cluster) => signals.track(cluster),
      });
    } finally {
      signals.close();
    }
  }
  for (const written of writeReports(out, results, opts.render !== true)) io.out(`${written}\n`);
  return EXIT.ok;
}

function readResults(path: string): ExperimentResults {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new DynamisError('INVALID_CONFIG', `cannot read ${path} as JSON: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseResults(json);
  } catch (err) {
    throw new DynamisError('INVALID_CONFIG', `${path}: ${(err as Error).message}`, { cause: err, details: (err as DynamisError).details });
  }
}

/**
 * While an experiment runs, SIGINT or SIGTERM stops the cluster of the
 * running configuration (its nodes, then its directory) and ends the
 * process with exit 3: nothing is left behind, no report is written.
 */
class ExperimentSignals {
  private cluster: ConfigCluster | undefined;
  private stopping = false;

  constructor(private readonly io: Io) {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  track(cluster: ConfigCluster | undefined): void {
    this.cluster = cluster;
  }

  close(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (this.stopping) return;
    this.stopping = true;
    this.io.err(`${signal}: stopping the experiment's cluster\n`);
    void (this.cluster?.stop() ?? Promise.resolve(0)).then(() => this.io.exit(EXIT.error));
  };
}
