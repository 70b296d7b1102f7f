/** The sections of the bench, each selectable with --only. */
export const SECTIONS = ['cluster', 'ceiling', 'floor', 'engines', 'single', 'redis', 'rebalance', 'profile', 'inprocess'] as const;
export type Section = (typeof SECTIONS)[number];
/** The sections run without --only: all but 'profile' and 'inprocess' (tools to see where the CPU goes, not comparisons). */
export const DEFAULT_SECTIONS: readonly Section[] = SECTIONS.filter((s) => s !== 'profile' && s !== 'inprocess');

/** The YCSB core workloads the cluster section runs (--workloads). */
export const WORKLOAD_NAMES = ['A', 'B', 'C'] as const;
export type WorkloadName = (typeof WORKLOAD_NAMES)[number];

export interface BenchArgs {
  readonly help: boolean;
  /** The sections to run, in the order of SECTIONS. 'cluster' also measures the fan-out ceiling (its ratio needs both). */
  readonly sections: readonly Section[];
  readonly workloads: readonly WorkloadName[];
  /** Measured seconds per case (after the warm-up). */
  readonly seconds: number;
  /** Unmeasured seconds before each case. */
  readonly warmupSeconds: number;
  /** Rounds; every figure printed is the median over the rounds. */
  readonly rounds: number;
  /** Records loaded into the cluster before the workloads (YCSB recordcount), and keys per value size in the single-node cases. */
  readonly records: number;
  /** Requests in flight of the cluster and ceiling cases, and the "many" level of the single-node cases (1 is always run there). */
  readonly inflight: number;
  /** The cluster nodes' engine: 'lsm' (the issue's configuration) or 'memory' (to tell the engine's share of the cluster's cost). */
  readonly clusterEngine: 'lsm' | 'memory';
  /**
   * When set, cluster node n1 and the profile section's node run with `--cpu-prof --cpu-prof-dir <dir>` (a
   * profile is written when the bench stops the node, and its top frames are printed), and the inprocess
   * section profiles this process's main thread during its workloads (written to <dir>, top frames printed).
   */
  readonly cpuProfDir?: string;
  /** The engine of the profile section's node. */
  readonly profileEngine: 'memory' | 'lsm';
  /** The redis-server binary. */
  readonly redisServer: string;
}

export const DEFAULTS = {
  seconds: 5,
  warmupSeconds: 1,
  rounds: 3,
  records: 10_000,
  inflight: 64,
  redisServer: '/usr/bin/redis-server',
} as const;

export const BENCH_USAGE = `Usage: node packages/bench/dist/main.js [options]   (or: npm run bench -w @dynamis/bench -- [options])

  --only <list>       comma-separated sections: cluster, ceiling, floor, engines, single, redis, rebalance, profile,
                      inprocess (default: all but profile and inprocess)
                        cluster  YCSB A/B/C on 3 node processes (quorum N=3 W=2 R=2, engine-lsm) + the fan-out
                                 ceiling + the coordination-free floor + the replicas' engine calls alone
                                 (--cluster-engine's) and the CPU budget they leave
                        ceiling  the bare-ws fan-out ceiling alone (3 echo processes, answer after 2): corked, plain,
                                 and corked with workload A's message sizes (the messages' cost in the CPU budget)
                        floor    the coordination-free floor alone: 3 independent single nodes (--cluster-engine),
                                 the driver reads each record from 2 of them and puts each update through all 3,
                                 done after 2 (the cluster's per-replica work without its coordination)
                        engines  the engine calls the replicas make for each YCSB --workloads operation, alone: 3
                                 engines per kind in this process (engine-lsm, engine-memory, LevelDB via
                                 classic-level), a read gets at 2, an update gets and puts at all 3: CPU µs per op
                        single   one node (engine-memory) via the client vs the bare-ws round trip, 1 and --inflight in flight
                        redis    one node (engine-memory, engine-lsm) vs redis-server (no persistence, appendfsync everysec, its defaults)
                        rebalance  a node joins a loaded one: MB/s streamed, foreground p99 before and during
                        profile  one node (--profile-engine) under put then get of 100 B at --inflight: CPU µs per op of
                                 the node (and its kernel share) and of the driver; with --cpu-prof, its top frames
                        inprocess  the cluster's 3 nodes (--cluster-engine) and the floor's 3 independent nodes, with the
                                 driver, in this one process, YCSB --workloads: CPU µs per op of the whole path; with
                                 --cpu-prof, the top frames of this process's main thread during the cluster's
                                 workloads and during the floor's (no other process competes for the CPU, so no
                                 frame is inflated by preemption as in a node process's profile)
  --workloads <list>  YCSB workloads of the cluster section (default A,B,C)
  --seconds <s>       measured seconds per case (default ${DEFAULTS.seconds})
  --warmup <s>        unmeasured seconds before each case (default ${DEFAULTS.warmupSeconds})
  --rounds <n>        rounds; each figure is the median of the rounds (default ${DEFAULTS.rounds})
  --records <n>       records loaded before the cases (default ${DEFAULTS.records})
  --inflight <n>      requests in flight (default ${DEFAULTS.inflight})
  --cluster-engine <e> lsm (default) or memory: the cluster nodes' engine
  --cpu-prof <dir>    run cluster node n1 and the profile section's node under node --cpu-prof, writing
                      their profiles to <dir> and printing their top frames at the end
                      (then 'cluster' runs without the ceiling and the floor, unless --only names them too);
                      with 'inprocess', profile this process's main thread during its last round's workloads too
  --profile-engine <e> memory (default) or lsm: the profile section's engine (needs --only profile)
  --redis-server <p>  redis-server binary (default ${DEFAULTS.redisServer}); when missing, the redis column is skipped
  -h, --help          this text`;

/** Thrown for a bad command line; the message names the option. */
export class BenchArgsError extends Error {
  override readonly name = 'BenchArgsError';
}

/**
 * Parses the bench's command line (without node and the script). Options are
 * `--name value` or `--name=value`. Throws BenchArgsError naming the option
 * for an unknown option, a missing or malformed value, or an unknown section.
 * Pure.
 */
export function parseBenchArgs(argv: readonly string[]): BenchArgs {
  const values = new Map<string, string>();
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') {
      help = true;
      continue;
    }
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (m === null) throw new BenchArgsError(`unexpected argument '${arg}'`);
    const name = m[1]!;
    if (!KNOWN.has(name)) throw new BenchArgsError(`unknown option --${name}`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || value === '') throw new BenchArgsError(`--${name} needs a value`);
    values.set(name, value);
  }
  const only = values.get('only');
  const cpuProfDir = values.get('cpu-prof');
  const sections = only === undefined ? [...DEFAULT_SECTIONS] : listOf('only', only, SECTIONS);
  const profileEngine = values.get('profile-engine');
  if (profileEngine !== undefined && !sections.includes('profile')) throw new BenchArgsError('--profile-engine needs --only profile');
  return {
    help,
    sections,
    workloads: listOf('workloads', values.get('workloads') ?? WORKLOAD_NAMES.join(','), WORKLOAD_NAMES),
    seconds: positive('seconds', values.get('seconds'), DEFAULTS.seconds, false),
    warmupSeconds: positive('warmup', values.get('warmup'), DEFAULTS.warmupSeconds, false, true),
    rounds: positive('rounds', values.get('rounds'), DEFAULTS.rounds, true),
    records: positive('records', values.get('records'), DEFAULTS.records, true),
    inflight: positive('inflight', values.get('inflight'), DEFAULTS.inflight, true),
    clusterEngine: listOf('cluster-engine', values.get('cluster-engine') ?? 'lsm', ['lsm', 'memory'] as const, true)[0]!,
    profileEngine: listOf('profile-engine', profileEngine ?? 'memory', ['memory', 'lsm'] as const, true)[0]!,
    ...(cpuProfDir !== undefined ? { cpuProfDir } : {}),
    redisServer: values.get('redis-server') ?? DEFAULTS.redisServer,
  };
}

const KNOWN = new Set([
  'only',
  'workloads',
  'seconds',
  'warmup',
  'rounds',
  'records',
  'inflight',
  'cluster-engine',
  'cpu-prof',
  'profile-engine',
  'redis-server',
]);

/** `text` as a number > 0 (or ≥ 0 when `zeroOk`), an integer when `integer`; `fallback` when absent. */
function positive(name: string, text: string | undefined, fallback: number, integer: boolean, zeroOk = false): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  const ok = Number.isFinite(n) && (zeroOk ? n >= 0 : n > 0) && (!integer || Number.isInteger(n));
  if (!ok)
    throw new BenchArgsError(
      `--${name} must be a ${integer ? 'positive integer' : zeroOk ? 'number ≥ 0' : 'positive number'}, got '${text}'`,
    );
  return n;
}

/** The comma-separated `text` as members of `allowed`, deduplicated, in the order of `allowed`. */
function listOf<T extends string>(name: string, text: string, allowed: readonly T[], single = false): T[] {
  const given = text.split(',').map((s) => s.trim());
  if (single && given.length !== 1) throw new BenchArgsError(`--${name} takes one of ${allowed.join(', ')}`);
  for (const item of given) {
    if (!(allowed as readonly string[]).includes(item))
      throw new BenchArgsError(`--${name}: unknown '${item}' (one or more of ${allowed.join(', ')}, comma-separated)`);
  }
  return allowed.filter((a) => given.includes(a));
}
