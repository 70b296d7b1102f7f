// The Dynamis bench (README.md, ../../BENCHMARKS.md): YCSB A/B/C on a 3-node
// cluster beside the bare-ws fan-out ceiling (issue 9), the single-node client
// path beside the bare-ws round trip, and a single node beside redis-server
// (issue 10). Every node, echo peer and redis-server is its own process; this
// process is the driver. Progress on stderr, the tables (medians of the
// rounds) on stdout at the end.
//
//   npm run bench -w @dynamis/bench -- --only cluster --rounds 3
//   node packages/bench/dist/main.js --help
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { clock } from './env';
import { BENCH_USAGE, BenchArgsError, parseBenchArgs, type BenchArgs, type WorkloadName } from './args';
import {
  ceilingCases,
  engineCase,
  floorCase,
  inProcessCase,
  inProcessFloorCase,
  kvCases,
  measure,
  NO_ENGINE,
  PROFILE_VALUE_BYTES,
  profileCases,
  singleCases,
  workloadCases,
  ycsbCase,
  type Round,
} from './cases';
import type { CpuProfile } from './cpuProfile';
import { profileTable } from './profileTable';
import { startEchoPeers, type EchoPeers } from './fanout';
import { dynamisTarget, loadTarget, redisTarget, type KvTarget } from './kvTargets';
import { startCluster, startFloorNodes, startInProcessCluster, startInProcessFloor, startSingleNode, type Nodes } from './nodes';
import { profileThisThread } from './profileThisThread';
import { installCleanup, stopAll } from './processes';
import { REDIS_PERSISTENCES, redisAvailable, startRedis } from './redisServer';
import { clusterReport, engineReport, inProcessReport, profileReport, redisReport, singleReport, weightedDriverUsPerOp } from './report';
import { profileDiffTable } from './profileDiff';
import { loadRecords, loadRecordsEverywhere, runFloorWorkload, runWorkload } from './ycsb';
import { rebalanceReport, rebalanceRound, type RebalanceResult } from './rebalance';
import {
  loadReplicaEngines,
  openReplicaEngines,
  REPLICA_ENGINES,
  runReplicaEngineWorkload,
  type ReplicaEngineName,
  type ReplicaEngines,
} from './replicaEngines';
import type { DriveOptions } from './drive';

interface Setup {
  cluster?: Nodes;
  echo3?: EchoPeers;
  /** The floor's independent single nodes (runFloorWorkload). */
  floor?: Nodes;
  echo1?: EchoPeers;
  /** The engines section's kinds: each round opens three engines of each, loads them, runs the workloads, closes them (runReplicaEngineWorkload). */
  engineKinds: readonly ReplicaEngineName[];
  memory?: KvTarget;
  kvTargets: KvTarget[];
  /** The profile section's node. */
  profiled?: KvTarget;
  /** Processes run under --cpu-prof: title → pid (their profile files carry the pid). */
  profiledPids: Map<string, number>;
  /** The inprocess section's cluster (its nodes run in this process). */
  inProcess?: Nodes;
  /** The inprocess section's floor (its independent nodes run in this process). */
  inProcessFloor?: Nodes;
  /** With --cpu-prof: where the inprocess section's profiles (of this thread, during its last round: round 1 carries the load's compaction and the JIT's warm-up) are written: the cluster's, the floor's. */
  inProcessProfiles?: { cluster: string; floor: string };
  stops: (() => Promise<void>)[];
}

const pidsOf = (nodes: Nodes): number[] => nodes.procs.map((p) => p.child.pid!);
const say = (text: string): boolean => process.stderr.write(`${text}\n`);

async function setUp(a: BenchArgs): Promise<Setup> {
  const s: Setup = { kvTargets: [], engineKinds: [], stops: [], profiledPids: new Map() };
  const has = (x: string): boolean => (a.sections as readonly string[]).includes(x);
  const prof = a.cpuProfDir === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', a.cpuProfDir];
  if (has('profile')) {
    say(`starting the profile section's node (engine-${a.profileEngine}${prof.length > 0 ? ', under --cpu-prof' : ''}) ...`);
    const node = await startSingleNode(a.profileEngine, prof);
    s.stops.push(node.stop);
    s.profiled = dynamisTarget(`profiled ${a.profileEngine}`, node.clients[0]!, pidsOf(node));
    if (prof.length > 0) s.profiledPids.set(`profile section's node (engine-${a.profileEngine})`, pidsOf(node)[0]!);
    say(`loading ${a.records} keys of ${PROFILE_VALUE_BYTES} B ...`);
    await loadTarget(s.profiled, a.records, a.inflight, [PROFILE_VALUE_BYTES]);
  }
  if (has('cluster')) {
    say(`starting 3 node processes (quorum N=3 W=2 R=2, engine-${a.clusterEngine}) ...`);
    s.cluster = await startCluster(3, a.clusterEngine, prof);
    s.stops.push(s.cluster.stop);
    if (prof.length > 0) s.profiledPids.set('cluster node n1', pidsOf(s.cluster)[0]!);
    say(`loading ${a.records} records of 1 KiB, ${a.inflight} in flight ...`);
    const load = await loadRecords(s.cluster.clients, a.records, a.inflight);
    say(`loaded in ${load.seconds.toFixed(1)} s (${Math.round(load.opsPerSec)} puts/s)`);
  }
  if (has('inprocess')) {
    say(`starting 3 nodes in this process (quorum N=3 W=2 R=2, engine-${a.clusterEngine}) ...`);
    s.inProcess = await startInProcessCluster(3, a.clusterEngine);
    s.stops.push(s.inProcess.stop);
    say(`starting the floor's 3 independent nodes in this process (engine-${a.clusterEngine}) ...`);
    s.inProcessFloor = await startInProcessFloor(3, a.clusterEngine);
    s.stops.push(s.inProcessFloor.stop);
    if (a.cpuProfDir !== undefined) {
      const at = `${process.pid}.${clock.now()}.cpuprofile`;
      s.inProcessProfiles = { cluster: join(a.cpuProfDir, `inprocess.${at}`), floor: join(a.cpuProfDir, `inprocess-floor.${at}`) };
    }
    say(`loading ${a.records} records of 1 KiB into the cluster and into each floor node, ${a.inflight} in flight ...`);
    await loadRecords(s.inProcess.clients, a.records, a.inflight);
    await loadRecordsEverywhere(s.inProcessFloor.clients, a.records, a.inflight);
  }
  // A profiling run (--cpu-prof) leaves the floor and the ceiling out unless asked for, so that the profile has no idle phase after the workloads.
  if (has('floor') || (has('cluster') && a.cpuProfDir === undefined)) {
    say(`starting the floor's 3 independent single nodes (engine-${a.clusterEngine}) ...`);
    s.floor = await startFloorNodes(3, a.clusterEngine);
    s.stops.push(s.floor.stop);
    say(`loading ${a.records} records of 1 KiB into each of them, ${a.inflight} in flight ...`);
    await loadRecordsEverywhere(s.floor.clients, a.records, a.inflight);
  }
  if (has('ceiling') || (has('cluster') && a.cpuProfDir === undefined)) {
    s.echo3 = await startEchoPeers(3);
    s.stops.push(s.echo3.stop);
  }
  if (has('engines') || (has('cluster') && a.cpuProfDir === undefined))
    s.engineKinds = [NO_ENGINE, ...(has('engines') ? REPLICA_ENGINES : [a.clusterEngine])];
  if (has('single')) {
    s.echo1 = await startEchoPeers(1);
    s.stops.push(s.echo1.stop);
  }
  if (has('single') || has('redis')) {
    const node = await startSingleNode('memory');
    s.stops.push(node.stop);
    s.memory = dynamisTarget('dynamis memory', node.clients[0]!, pidsOf(node));
    s.kvTargets.push(s.memory);
  }
  if (has('redis')) {
    const lsm = await startSingleNode('lsm');
    s.stops.push(lsm.stop);
    s.kvTargets.push(dynamisTarget('dynamis lsm', lsm.clients[0]!, pidsOf(lsm)));
    if (redisAvailable(a.redisServer)) {
      for (const persistence of REDIS_PERSISTENCES) {
        const r = await startRedis(a.redisServer, persistence);
        s.stops.push(r.stop);
        s.kvTargets.push(redisTarget(`redis ${persistence}`, r.client, [r.pid]));
      }
    } else {
      say(`redis-server not found at ${a.redisServer}: the redis columns are skipped`);
    }
  }
  for (const t of s.kvTargets) {
    say(`loading ${a.records} keys of 100 B and of 1 KiB into ${t.name} ...`);
    await loadTarget(t, a.records, a.inflight);
  }
  return s;
}

async function runRounds(a: BenchArgs, s: Setup): Promise<Round[]> {
  const rounds: Round[] = [];
  const o = { inflight: a.inflight, warmupSeconds: a.warmupSeconds, seconds: a.seconds };
  const levels = [...new Set([1, a.inflight])];
  const has = (x: string): boolean => (a.sections as readonly string[]).includes(x);
  for (let i = 1; i <= a.rounds; i++) {
    const round: Round = new Map();
    const label = `[round ${i}/${a.rounds}]`;
    if (s.cluster !== undefined)
      await workloadCases(round, label, s.cluster, a.workloads, a.records, { ...o, servers: pidsOf(s.cluster) }, ycsbCase, runWorkload);
    if (s.floor !== undefined)
      await workloadCases(round, label, s.floor, a.workloads, a.records, { ...o, servers: pidsOf(s.floor) }, floorCase, runFloorWorkload);
    if (s.echo3 !== undefined) await ceilingCases(round, label, s.echo3.ports, { ...o, servers: s.echo3.pids });
    if (has('redis')) await kvCases(round, label, s.kvTargets, levels, a.records, o);
    if (s.echo1 !== undefined && s.memory !== undefined) await singleCases(round, label, s.echo1, s.memory, levels, a.records, o);
    if (s.profiled !== undefined) await profileCases(round, label, s.profiled, a.records, o);
    const { inProcess, inProcessFloor } = s;
    if (inProcess !== undefined && inProcessFloor !== undefined) {
      const profiled = (file: string | undefined, run: () => Promise<void>): Promise<void> =>
        i === a.rounds && file !== undefined ? profileThisThread(file, run) : run();
      await profiled(s.inProcessProfiles?.cluster, () =>
        workloadCases(round, label, inProcess, a.workloads, a.records, o, inProcessCase, runWorkload),
      );
      await profiled(s.inProcessProfiles?.floor, () =>
        workloadCases(round, label, inProcessFloor, a.workloads, a.records, o, inProcessFloorCase, runFloorWorkload),
      );
    }
    // Last in the round, and closed before the next: the engines run in this process, whose CPU drives the other cases.
    for (const kind of s.engineKinds) await replicaEngineCases(round, label, kind, a.workloads, a.records, o);
    rounds.push(round);
  }
  return rounds;
}

/** Opens three engines of `kind` in this process, loads them, runs each workload on them (engineCase), and closes them. */
async function replicaEngineCases(
  round: Round,
  label: string,
  kind: ReplicaEngineName,
  workloads: readonly WorkloadName[],
  records: number,
  o: DriveOptions,
): Promise<void> {
  say(`${label} opening 3 engines of kind ${kind} in this process and loading ${records} records of 1 KiB into each ...`);
  let engines: ReplicaEngines;
  try {
    engines = await openReplicaEngines(kind);
  } catch (err) {
    if (kind !== 'leveldb') throw err;
    say(`${label} LevelDB (classic-level) could not be opened, its rows are skipped: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  try {
    await loadReplicaEngines(engines, records, o.inflight);
    for (const w of workloads) await measure(round, label, engineCase(kind, w), () => runReplicaEngineWorkload(engines, w, records, o));
  } finally {
    await engines.stop();
  }
}

function report(a: BenchArgs, s: Setup, rounds: Round[], load: string): void {
  const out = (lines: string[]): void => void process.stdout.write(`${lines.join('\n')}\n\n`);
  const levels = [...new Set([1, a.inflight])];
  const has = (x: string): boolean => (a.sections as readonly string[]).includes(x);
  out([
    `# Dynamis bench — node ${process.version}, ${cpus().length} CPU (${cpus()[0]?.model ?? '?'}), load average ${load}`,
    `${a.rounds} round(s) × ${a.seconds} s per case after ${a.warmupSeconds} s warm-up; figures are medians of the rounds.`,
  ]);
  if (has('cluster') || has('ceiling') || has('floor')) {
    out([
      `## Cluster: YCSB on 3 nodes (quorum N=3 W=2 R=2, engine-${a.clusterEngine}), ${a.inflight} in flight, 1 KiB values, scrambled zipfian 0.99 over ${a.records} records; coordination-free floor and fan-out ceiling, same in flight`,
      '',
      ...clusterReport(rounds, a.workloads, {
        cluster: has('cluster'),
        floor: s.floor !== undefined,
        ceiling: s.echo3 !== undefined,
        ...(s.engineKinds.includes(a.clusterEngine) ? { engine: { name: a.clusterEngine, cores: cpus().length } } : {}),
      }),
    ]);
  }
  if (has('engines'))
    out([
      `## The replicas' engine calls alone: 3 engines of each kind in this process, YCSB ${a.inflight} in flight, 1 KiB records; a read gets at 2 of them, an update gets and puts at all 3`,
      '',
      ...engineReport(rounds, a.workloads, s.engineKinds),
    ]);
  if (has('single'))
    out([
      '## Single node (engine-memory) through the client vs the bare-ws round trip (128 B)',
      '',
      ...singleReport(rounds, levels, 'dynamis memory'),
    ]);
  if (s.profiled !== undefined)
    out([
      `## Profile: one node (engine-${a.profileEngine}) through the client, ${PROFILE_VALUE_BYTES} B values, ${a.inflight} in flight`,
      '',
      ...profileReport(rounds, s.profiled.name, PROFILE_VALUE_BYTES, a.inflight),
    ]);
  if (has('inprocess'))
    out([
      `## In one process: YCSB on 3 nodes (quorum N=3 W=2 R=2, engine-${a.clusterEngine}) and on the floor's 3 independent nodes, with the driver in the bench process, ${a.inflight} in flight, 1 KiB values (a profiling aid, not a comparison)`,
      '',
      ...inProcessReport(rounds, a.workloads),
    ]);
  if (has('redis'))
    out([
      '## Single node vs redis-server (both from Node, one connection each)',
      '',
      ...redisReport(
        rounds,
        levels,
        s.kvTargets.map((t) => t.name),
      ),
    ]);
}

/** The top frames of each profile written by a process of `pids` (stopped by now) into `dir`. */
function printProfiles(dir: string, pids: ReadonlyMap<string, number>): void {
  const files = readdirSync(dir);
  for (const [title, pid] of pids) {
    const file = files.find((f) => f.endsWith('.cpuprofile') && f.includes(`.${pid}.0.`));
    if (file === undefined) process.stdout.write(`## CPU profile of the ${title}, main thread\n\nno profile of pid ${pid} in ${dir}\n\n`);
    else printProfile(title, join(dir, file));
  }
}

/** Where the in-process cluster's CPU per op goes beyond its floor's, from the last round's two profiles (profileDiff). */
function printProfileDiff(workloads: readonly WorkloadName[], round: Round, files: { cluster: string; floor: string }): void {
  const read = (file: string): CpuProfile => JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const floorUs = weightedDriverUsPerOp(round, workloads.map(inProcessFloorCase));
  const clusterUs = weightedDriverUsPerOp(round, workloads.map(inProcessCase));
  const lines = profileDiffTable(read(files.floor), floorUs, read(files.cluster), clusterUs, 30, { a: 'floor', b: 'cluster' });
  const title = `## Where the cluster's CPU per op goes beyond its floor's (inprocess section, last round, workloads ${workloads.join(', ')})`;
  process.stdout.write(`${[title, '', ...lines].join('\n')}\n\n`);
}

/** The top frames of the profile in `file`. */
function printProfile(title: string, file: string): void {
  const lines = [`file: ${file}`, '', ...profileTable(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, 20)];
  process.stdout.write(`${[`## CPU profile of the ${title}, main thread`, '', ...lines].join('\n')}\n\n`);
}

async function main(): Promise<void> {
  let a: BenchArgs;
  try {
    a = parseBenchArgs(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof BenchArgsError)) throw err;
    process.stderr.write(`${err.message}\n\n${BENCH_USAGE}\n`);
    process.exit(2);
  }
  if (a.help) {
    process.stdout.write(`${BENCH_USAGE}\n`);
    return;
  }
  installCleanup();
  const loads = [loadavg()[0]!];
  let sampler = clock.setTimer(10_000, function sample() {
    loads.push(loadavg()[0]!);
    sampler = clock.setTimer(10_000, sample);
  });
  try {
    const s = await setUp(a);
    const rounds = await runRounds(a, s);
    for (const stop of s.stops.reverse()) await stop();
    const rebalanced: RebalanceResult[] = [];
    for (let i = 1; (a.sections as readonly string[]).includes('rebalance') && i <= a.rounds; i++) {
      say(`[round ${i}/${a.rounds}] rebalance: n2 joins n1 holding ${a.records} records of 1 KiB ...`);
      rebalanced.push(await rebalanceRound(a.records, a.inflight, a.seconds));
    }
    const load = `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} (1-min, sampled every 10 s)`;
    report(a, s, rounds, load);
    if (a.cpuProfDir !== undefined) printProfiles(a.cpuProfDir, s.profiledPids);
    if (s.inProcessProfiles !== undefined) {
      printProfile('bench process (inprocess section, last round, the cluster: 3 nodes and the driver)', s.inProcessProfiles.cluster);
      printProfile(
        'bench process (inprocess section, last round, the floor: 3 independent nodes and the driver)',
        s.inProcessProfiles.floor,
      );
      printProfileDiff(a.workloads, rounds[rounds.length - 1]!, s.inProcessProfiles);
    }
    if (rebalanced.length > 0) {
      const title = `## Rebalance: n2 joins n1 (N=2, engine-lsm) holding ${a.records} records of 1 KiB; foreground 50% get / 50% put, ${a.inflight} in flight, through n1`;
      process.stdout.write(`${[title, '', ...rebalanceReport(rebalanced)].join('\n')}\n\n`);
    }
  } finally {
    sampler.cancel();
    await stopAll();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
  void stopAll();
});
