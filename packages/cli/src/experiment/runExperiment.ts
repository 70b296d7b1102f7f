import { DynamisClient } from '@dynamis/client';
import { DynamisError, type Clock } from '@dynamis/core';
import { cpus } from 'node:os';
import { askStatus } from '../adminRequest';
import { clientTarget, emptyTally, type ReadTally } from './clientTarget';
import { clusterFigures, fetchStatus } from './clusterFigures';
import { startConfigCluster, type ConfigCluster } from './configCluster';
import type { Configuration, Experiment } from './experimentSpec';
import type { ConfigResult, ExperimentResults } from './results';
import { measureStaleness } from './stalenessProbe';
import { phaseFigures, type WorkloadDriver } from './workloadDriver';

/** What runExperiment runs with. */
export interface ExperimentDeps {
  /** How to run `dynamis start` (Io.self). */
  readonly command: readonly [string, ...string[]];
  /** Where each configuration's cluster directory is made (and removed). */
  readonly tempRoot: string;
  readonly clock: Clock;
  readonly driver: WorkloadDriver;
  /** The nodes' log level (their stderr lines are passed to `progress`). */
  readonly logLevel: string;
  /** One progress line (no newline): configuration i/n, phase, % done. */
  readonly progress: (line: string) => void;
  /** Told of each cluster once it runs, and `undefined` once it is stopped and removed (so a signal handler can stop it). */
  readonly onCluster?: (cluster: ConfigCluster | undefined) => void;
}

/** Per-request timeout of the experiment's clients. */
const CLIENT_TIMEOUT_MS = 10_000;

/**
 * Runs every configuration of `exp`, one after the other, each on a fresh
 * cluster (startConfigCluster) stopped and removed before the next starts:
 * load phase, run phase, the nodes' storage and repair figures (read from
 * their admin endpoints right after the run), and the staleness probe:
 * after them on the idle cluster (`staleness.during` 'idle', so the probe's
 * writes are not in the figures), or alongside the run phase ('run': the
 * probe's traffic is then in the run's figures, and any trials left when the
 * run ends go on against the idle cluster). Rejects with the
 * first failure (after stopping that cluster); a workload operation that
 * fails is counted in its phase's errors, not thrown.
 */
export async function runExperiment(exp: Experiment, deps: ExperimentDeps): Promise<ExperimentResults> {
  const startedAt = new Date(deps.clock.now()).toISOString();
  const results: ConfigResult[] = [];
  for (const [i, c] of exp.configurations.entries()) {
    const tag = `[${i + 1}/${exp.configurations.length} ${c.name}]`;
    deps.progress(`${tag} starting ${exp.nodes} nodes`);
    const cluster = await startConfigCluster(c, exp.nodes, {
      command: deps.command,
      tempRoot: deps.tempRoot,
      logLevel: deps.logLevel,
      onLine: (id, stream, line) => {
        if (stream === 'stderr' && line.trim() !== '') deps.progress(`${tag} [${id}] ${line}`);
      },
    });
    deps.onCluster?.(cluster);
    deps.progress(`${tag} nodes up, pids ${cluster.pids.join(' ')}`);
    try {
      results.push(await measure(exp, c, cluster, tag, deps));
    } finally {
      const failed = await cluster.stop();
      deps.onCluster?.(undefined);
      if (failed > 0) deps.progress(`${tag} ${failed} node(s) did not stop cleanly`);
    }
  }
  return {
    version: 1,
    name: exp.name,
    startedAt,
    nodes: exp.nodes,
    driver: deps.driver.name,
    host: { cpus: cpus().length, node: process.version, platform: process.platform },
    workload: { ...exp.workload },
    staleness: exp.staleness === undefined ? null : { ...exp.staleness, delaysMs: [...exp.staleness.delaysMs] },
    configurations: results,
  };
}

async function measure(
  exp: Experiment,
  c: Configuration,
  cluster: ConfigCluster,
  tag: string,
  deps: ExperimentDeps,
): Promise<ConfigResult> {
  // One client per node, preferring it (the others only as fallbacks): the load is spread over every coordinator.
  const clients: DynamisClient[] = [];
  try {
    for (const [i] of cluster.addresses.entries()) {
      const nodes = [...cluster.addresses.slice(i), ...cluster.addresses.slice(0, i)];
      clients.push(await DynamisClient.connect({ nodes, token: cluster.token, timeoutMs: CLIENT_TIMEOUT_MS }));
    }
    const observed = await observe(cluster);
    let tally = emptyTally();
    const targets = clients.map((client) => clientTarget(client, () => tally, c.writes));
    const load = await deps.driver.load(targets, exp.workload, percent(deps, `${tag} load`));
    tally = emptyTally();
    const probe = (): Promise<ConfigResult['staleness']> =>
      exp.staleness === undefined ? Promise.resolve(null) : probeStaleness(exp.staleness, cluster, tag, deps);
    const during = exp.staleness?.during === 'run';
    const [run, probedDuringRun] = await Promise.all([
      deps.driver.run(targets, exp.workload, percent(deps, `${tag} run`)),
      during ? probe() : Promise.resolve(null),
    ]);
    const reads: ReadTally = tally;
    deps.progress(`${tag} reading the nodes' stats`);
    const figures = clusterFigures(await Promise.all(cluster.adminUrls.map((url) => fetchStatus(url, CLIENT_TIMEOUT_MS))));
    const staleness = during ? probedDuringRun : await probe();
    const { n, w, r } = cluster.replication;
    return {
      name: c.name,
      settings: {
        resolver: c.resolver,
        engine: c.engine,
        writes: c.writes,
        n,
        w,
        r,
        ...(c.compaction !== undefined ? { compaction: c.compaction } : {}),
        ...(c.fsync !== undefined ? { fsync: c.fsync } : {}),
        ...(c.memtableBytes !== undefined ? { memtableBytes: c.memtableBytes } : {}),
        ...(c.partitions !== undefined ? { partitions: c.partitions } : {}),
      },
      observed,
      load: phaseFigures(load),
      run: phaseFigures(run),
      reads: { ...reads },
      ...figures,
      staleness,
    };
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
}

/** The staleness probe over clients pinned to one node each (no fallback), so the write's and the read's coordinators differ. */
async function probeStaleness(spec: NonNullable<Experiment['staleness']>, cluster: ConfigCluster, tag: string, deps: ExperimentDeps) {
  const pinned: DynamisClient[] = [];
  try {
    for (const address of cluster.addresses)
      pinned.push(await DynamisClient.connect({ nodes: [address], token: cluster.token, timeoutMs: CLIENT_TIMEOUT_MS }));
    return await measureStaleness(pinned, spec, deps.clock, 'pbs/', percent(deps, `${tag} staleness`));
  } finally {
    await Promise.all(pinned.map((p) => p.close()));
  }
}

/** The first node's own view of its replication, partitions and plugins; UNAVAILABLE when it does not answer. */
async function observe(cluster: ConfigCluster): Promise<ConfigResult['observed']> {
  const [answer] = await askStatus({
    nodes: [cluster.addresses[0]!],
    token: cluster.token,
    clientId: 'default',
    timeoutMs: CLIENT_TIMEOUT_MS,
  });
  if (answer === undefined || !answer.reachable)
    throw new DynamisError(
      'UNAVAILABLE',
      `node ${cluster.addresses[0]} did not answer its admin status: ${answer?.reachable === false ? answer.error.message : 'no answer'}`,
    );
  const { replication, partitions, plugins } = answer.status;
  return { replication: { ...replication }, partitions: partitions?.total ?? null, plugins: [...plugins].sort() };
}

/** A progress callback printing `${label} N%` each time another tenth is done (and at 100%). */
function percent(deps: ExperimentDeps, label: string): (done: number, total: number) => void {
  let shown = -1;
  return (done, total) => {
    const tenth = total === 0 ? 10 : Math.floor((done * 10) / total);
    if (tenth === shown) return;
    shown = tenth;
    deps.progress(`${label} ${tenth * 10}% (${done}/${total})`);
  };
}
