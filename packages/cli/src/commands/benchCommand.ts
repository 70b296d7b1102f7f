import { DynamisClient } from '@dynamis/client';
import { DynamisError, isDynamisError } from '@dynamis/core';
import {
  DISTRIBUTIONS,
  loadPhase,
  runPhase,
  validateSpec,
  WORKLOAD_NAMES,
  WORKLOADS,
  type Distribution,
  type WorkloadName,
  type WorkloadSpec,
} from '@dynamis/workload';
import type { Command } from 'commander';
import { randomInt } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { resolveTarget, type Target } from '../connection';
import { EXIT } from '../exitCodes';
import { parseConsistency, parseCount } from '../format';
import type { Io } from '../io';
import { BenchProgress } from './benchProgress';
import { benchJson, benchText, type BenchOutcome } from './benchReport';
import { clientTarget } from './benchTarget';
import { connectionOptions, withConnectionOptions } from './connectionOptions';

type Run = (work: () => Promise<number>) => Promise<void>;

/**
 * `dynamis bench`: a YCSB core workload (@dynamis/workload) against a
 * running cluster, one client per node, requests spread round-robin.
 * Progress on stderr; the result on stdout as a table, or with --json as one
 * JSON object {spec, load, run} (README "dynamis bench"). Exit 0 when every
 * operation succeeded, 3 when some failed (the result is printed all the
 * same) or all did or the cluster is unreachable, 2 for a bad option
 * (nothing is sent).
 */
export function addBenchCommand(program: Command, io: Io, run: Run): void {
  withConnectionOptions(
    program
      .command('bench')
      .description('run a YCSB workload (A-F) against the cluster: ops/s and latency percentiles (exit 0 no errors, 2 usage, 3 errors)')
      .option('--workload <name>', `YCSB core workload: ${WORKLOAD_NAMES.join(', ')}`, 'A')
      .option('--records <n>', 'records the load phase writes, the key space of the run (YCSB recordcount)', '1000')
      .option('--operations <n>', 'operations of the run phase (YCSB operationcount)', '10000')
      .option('--concurrency <n>', 'requests in flight', '16')
      .option('--value-size <bytes>', 'bytes of each value written', '1000')
      .option(
        '--distribution <name>',
        `which records operations touch: ${DISTRIBUTIONS.join(' | ')} (default: latest for D, zipfian otherwise)`,
      )
      .option('--seed <n>', 'seed of every random choice, to replay a run (default: random, printed)')
      .option('--consistency <level>', 'R and W of every request: one | quorum | all | a replica count (default: the node’s)')
      .option('--json', 'print {"spec","load","run"} as JSON')
      .option('--no-load', 'skip the load phase (the records are there from an earlier run with the same --records)'),
  ).action((opts: Record<string, unknown>) => run(() => bench(opts, io)));
}

async function bench(opts: Record<string, unknown>, io: Io): Promise<number> {
  const spec = benchSpec(opts);
  const consistency = opts.consistency === undefined ? undefined : parseConsistency(String(opts.consistency));
  const clients = await connectEach(resolveTarget(connectionOptions(opts), io.cwd, io.env));
  const progress = new BenchProgress(io.err, io.errIsTty === true, () => performance.now());
  let outcome: BenchOutcome;
  try {
    const rewrites = { count: 0 };
    const targets = clients.map((c) => clientTarget(c, consistency, rewrites));
    const load = opts.load === false ? undefined : await loadPhase(targets, spec, progress.phase('load'));
    const loadRewrites = rewrites.count;
    const result = await runPhase(targets, spec, progress.phase('run'));
    outcome = {
      spec,
      consistency,
      nodes: clients.length,
      load,
      run: result,
      rewrites: { load: loadRewrites, run: rewrites.count - loadRewrites },
    };
  } finally {
    await Promise.all(clients.map((c) => c.close()));
  }
  io.out(opts.json === true ? benchJson(outcome) : benchText(outcome));
  return (outcome.load?.errors ?? 0) + outcome.run.errors === 0 ? EXIT.ok : EXIT.error;
}

/** The spec the options ask for, with the distribution and seed resolved; INVALID_ARGUMENT naming the option otherwise. */
export function benchSpec(opts: Record<string, unknown>): Required<WorkloadSpec> {
  const workload = String(opts.workload).toUpperCase();
  if (!(WORKLOAD_NAMES as readonly string[]).includes(workload)) {
    throw new DynamisError('INVALID_ARGUMENT', `--workload must be one of ${WORKLOAD_NAMES.join(', ')}, got '${String(opts.workload)}'`);
  }
  const distribution = opts.distribution === undefined ? WORKLOADS[workload as WorkloadName].distribution : String(opts.distribution);
  if (!(DISTRIBUTIONS as readonly string[]).includes(distribution)) {
    throw new DynamisError('INVALID_ARGUMENT', `--distribution must be one of ${DISTRIBUTIONS.join(', ')}, got '${distribution}'`);
  }
  const spec: Required<WorkloadSpec> = {
    workload: workload as WorkloadName,
    records: parseCount('--records', String(opts.records), 1),
    operations: parseCount('--operations', String(opts.operations), 1),
    concurrency: parseCount('--concurrency', String(opts.concurrency), 1),
    valueBytes: parseCount('--value-size', String(opts.valueSize), 0),
    distribution: distribution as Distribution,
    seed: opts.seed === undefined ? randomInt(2 ** 47) : parseCount('--seed', String(opts.seed), 0),
  };
  try {
    return validateSpec(spec) as Required<WorkloadSpec>;
  } catch (err) {
    // Name the option, not the spec field: "--concurrency must be an integer in [1, 10000], got 20000".
    const field = isDynamisError(err, 'INVALID_ARGUMENT') ? err.details.field : undefined;
    const flag = typeof field === 'string' ? FLAG_OF_FIELD[field] : undefined;
    if (flag === undefined) throw err;
    throw new DynamisError('INVALID_ARGUMENT', (err as Error).message.replace(`workload spec: ${String(field)}`, flag), {
      details: { option: flag },
    });
  }
}

/** The option that sets each WorkloadSpec field. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = {
  records: '--records',
  operations: '--operations',
  concurrency: '--concurrency',
  valueBytes: '--value-size',
  seed: '--seed',
};

/** One client per node, node i preferred by client i (the others follow as its fail-over order); closes them all if one fails to connect. */
async function connectEach(target: Target): Promise<DynamisClient[]> {
  const { nodes } = target;
  const settled = await Promise.allSettled(
    nodes.map((_, i) =>
      DynamisClient.connect({
        nodes: [...nodes.slice(i), ...nodes.slice(0, i)],
        token: target.token,
        clientId: target.clientId,
        timeoutMs: target.timeoutMs,
      }),
    ),
  );
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed === undefined) return settled.map((s) => (s as PromiseFulfilledResult<DynamisClient>).value);
  await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.close() : undefined)));
  throw failed.reason;
}
