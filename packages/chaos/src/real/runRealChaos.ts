import { SystemClock, type Clock } from '@dynamis/core';
import { SeededRng } from './SeededRng';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { check, countOps, judge, type Counts, type Verdict } from './check';
import { History } from './history';
import { cleanupStale, netnsUnavailable } from './netns';
import { NetnsCluster } from './NetnsCluster';
import { faketimeAvailable, type NodeCommand } from './NodeProcess';
import { readFinalState, waitForHints } from './quiesce';
import { describeEvent, makeSchedule, NEMESES, type NemesisEvent, type NemesisKind } from './schedule';
import { Workload, type WorkloadOptions } from './Workload';

export interface RealRunOptions {
  readonly seed: number;
  readonly nodes: number;
  /** How long the load (and the faults) run, ms. */
  readonly loadMs: number;
  /** The faults to draw from; default every kind (skew only with libfaketime). */
  readonly kinds?: readonly NemesisKind[];
  /** A fixed schedule instead of a drawn one. */
  readonly schedule?: readonly NemesisEvent[];
  /** Largest clock offset the skew nemesis draws, ms (default 2000); keep it below the workload's settleAfterInfoMs. */
  readonly maxSkewMs?: number;
  /** Nodes with `replication.sloppyQuorum` (hints for down primaries); default strict quorum. */
  readonly sloppyQuorum?: boolean;
  readonly workload: WorkloadOptions;
  /** Bound on the wait for hints and anti-entropy after healing, ms. */
  readonly convergeMs: number;
  /** Where to write the history (JSON lines); none by default. */
  readonly historyFile?: string;
  readonly command: (configFile: string) => NodeCommand;
  readonly bootMs?: number;
  readonly log?: (line: string) => void;
  /** Abort the run (then clean up) when this resolves: Ctrl-C. */
  readonly abort?: Promise<void>;
}

export interface RealRunResult {
  readonly seed: number;
  readonly schedule: readonly NemesisEvent[];
  /** Skipped (no namespaces here): why; nothing ran. */
  readonly skipped?: string;
  readonly counts?: Counts;
  readonly verdicts: readonly Verdict[];
  readonly ok: boolean;
  readonly notes: string[];
  readonly keys: number;
  /** Milliseconds from healing to converged replicas (hints delivered and every replica equal). */
  readonly convergedAfterMs?: number;
}

const SECRET = 'chaos-cluster-secret-0123456789';
const CLIENT_TOKEN = 'chaos-client-token-0123456789';
const ADMIN_TOKEN = 'chaos-admin-token-0123456789';

/**
 * One real-process chaos run (packages/chaos/README.md "Real processes"):
 * cleans up what dead runs left, builds the namespaces, starts the nodes,
 * runs the client load while the schedule's faults are applied and healed,
 * heals everything, waits (bounded) for hints and anti-entropy, reads every
 * key back at R=2 and every replica's copy, and checks the history. Always
 * removes namespaces, bridge, processes and its temporary directory, also
 * when it fails or is aborted, and on process exit.
 */
export async function runRealChaos(options: RealRunOptions): Promise<RealRunResult> {
  const log = options.log ?? ((): void => undefined);
  const clock: Clock = new SystemClock();
  const kinds = (options.kinds ?? NEMESES).filter((k) => k !== 'skew' || faketimeAvailable());
  const notes: string[] = [];
  if ((options.kinds ?? NEMESES).includes('skew') && !faketimeAvailable())
    notes.push('clock skew skipped: libfaketime is not installed (apt-get install faketime); skew is covered in the simulation');
  const schedule =
    options.schedule ??
    makeSchedule({ seed: options.seed, loadMs: options.loadMs, nodes: options.nodes, kinds, maxSkewMs: options.maxSkewMs });
  const unavailable = netnsUnavailable();
  if (unavailable !== null) return { seed: options.seed, schedule, skipped: unavailable, verdicts: [], ok: true, notes, keys: 0 };

  const removed = await cleanupStale();
  if (removed.length > 0) log(`removed what a dead run left: ${removed.join(', ')}`);
  log(`seed ${options.seed}; schedule:\n${schedule.map((e) => `  ${describeEvent(e)}`).join('\n') || '  (none)'}`);
  const workDir = mkdtempSync(join(tmpdir(), 'dynamis-chaos-real-'));
  let cluster: NetnsCluster | undefined;
  const onExit = (): void => {
    cluster?.destroySync();
    rmSync(workDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  try {
    cluster = await NetnsCluster.create({
      nodes: options.nodes,
      workDir,
      secret: SECRET,
      clientToken: CLIENT_TOKEN,
      adminToken: ADMIN_TOKEN,
      partitions: 16,
      requestMs: 2_000,
      command: (file) => {
        const c = options.command(file);
        return { ...c, env: { ...c.env, DYNAMIS_SECRET: SECRET, DYNAMIS_CLIENT_TOKEN: CLIENT_TOKEN } };
      },
      bootMs: options.bootMs ?? 60_000,
      clock,
      sloppyQuorum: options.sloppyQuorum,
    });
    await cluster.startAll();
    log(`nodes up: ${cluster.ids.map((id) => `${id} ${cluster!.address(id)}`).join(', ')}`);
    return await drive(options, cluster, schedule, clock, log, notes);
  } finally {
    await cluster?.destroy();
    rmSync(workDir, { recursive: true, force: true });
    process.off('exit', onExit);
  }
}

async function drive(
  options: RealRunOptions,
  cluster: NetnsCluster,
  schedule: readonly NemesisEvent[],
  clock: Clock,
  log: (line: string) => void,
  notes: string[],
): Promise<RealRunResult> {
  let aborted = false;
  void options.abort?.then(() => (aborted = true));
  const sleep = async (ms: number): Promise<void> => {
    const until = clock.monotonic() + ms;
    while (!aborted && clock.monotonic() < until) await clock.sleep(Math.min(200, until - clock.monotonic()));
    if (aborted) throw new Error('aborted');
  };
  const history = new History(options.historyFile === undefined ? undefined : createWriteStream(options.historyFile));
  const startedAt = clock.monotonic();
  const workload = new Workload(options.workload, cluster.clients, history, clock, new SeededRng(options.seed).fork('load'), startedAt);
  const load = workload.run();
  try {
    for (const e of schedule) {
      await sleep(startedAt + e.at - clock.monotonic());
      log(`  ${describeEvent(e)}`);
      await cluster.inject(e);
      await sleep(e.durationMs);
      await cluster.healAll();
    }
    await sleep(startedAt + options.loadMs - clock.monotonic());
  } finally {
    workload.stop();
    await load;
    await history.close();
  }
  await cluster.healAll();
  const healedAt = clock.monotonic();
  const counts = countOps(history.entries);
  log(`load stopped: ${counts.invoked} ops (ok ${counts.ok}, fail ${counts.fail}, info ${counts.info}); healed, waiting for repair`);
  const keys = [...new Set(history.entries.map((e) => e.key))];
  const hints = await waitForHints(cluster, clock, options.convergeMs, ADMIN_TOKEN);
  if (!hints.ok) notes.push(`hints still pending after ${options.convergeMs} ms: ${hints.detail}`);
  const final = await readFinalState(cluster, keys, clock, healedAt + options.convergeMs, SECRET, 16);
  const convergedAfterMs = final.convergedAt === undefined ? undefined : Math.round(final.convergedAt - healedAt);
  const { verdicts, ok } = judge(check(history.entries, final), options.sloppyQuorum === true);
  for (const v of verdicts)
    log(`${v.ok ? 'PASS' : v.informational ? 'NOTE' : 'FAIL'} ${v.name} (${v.checked} checked${v.ok ? '' : `, ${v.count} bad`})`);
  return { seed: options.seed, schedule, counts, verdicts, ok, notes, keys: keys.length, convergedAfterMs };
}
