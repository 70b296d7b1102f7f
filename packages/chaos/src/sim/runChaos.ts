import { compareHlc } from '@dynamis/conflict-lww';
import { type NodeId } from '@dynamis/core';
import { SeededRandom, Simulation } from '@dynamis/testkit/sim';
import {
  checkConvergence,
  checkDurability,
  checkLww,
  checkPhantoms,
  checkSetUnion,
  flaggedKeys,
  type CheckResult,
  type ReplicaRecord,
} from '../checkers';
import { History, minimalHistory, type HistoryOp } from '../history';
import { nemesisByName, type NemesisContext } from '../nemesis';
import { chaosCluster, type ChaosCluster } from './chaosCluster';
import { allRegisterKeys, allSetKeys, DEFAULT_WORKLOAD, decodeSet, runClients, type WorkloadOptions } from './clients';

/** One simulated run: the cluster, the workload, the nemesis and its schedule. */
export interface ChaosOptions {
  readonly seed: number;
  /** A name for nemesisByName: 'partition-one', 'kill', 'pause+clock', 'mixed', 'none', … */
  readonly nemesis: string;
  readonly resolver: 'lww' | 'vclock';
  readonly engine: 'lsm' | 'memory';
  /** The nodes' disks (Simulation `disk`): 'faulty' makes a crash a power loss. Default 'memory'. */
  readonly disk?: 'memory' | 'faulty';
  readonly workload?: Partial<WorkloadOptions>;
  /** Nodes (default 5). */
  readonly nodes?: number;
  /** A fault lasts a random 200..faultMaxMs of virtual time (default 1500), with 50..quietMaxMs between two (default 500; the first fault starts within 200 ms). */
  readonly faultMaxMs?: number;
  readonly quietMaxMs?: number;
  /** Longest the healing phase may take (virtual ms) before the run fails (default 120 000). */
  readonly healMaxMs?: number;
}

/** What a run did and what the checkers said. */
export interface ChaosReport {
  readonly seed: number;
  readonly nemesis: string;
  readonly resolver: 'lww' | 'vclock';
  readonly valid: boolean;
  readonly ops: number;
  readonly outcomes: Readonly<Record<'ok' | 'fail' | 'info', number>>;
  /** Each fault injected, with its virtual start time. */
  readonly faults: readonly string[];
  readonly checks: readonly CheckResult[];
  readonly history: readonly HistoryOp[];
  /** The records of the keys an anomaly names (empty when valid). */
  readonly minimal: readonly HistoryOp[];
  /** SHA-256 of the network trace: the same seed (and code) gives the same digest. */
  readonly traceDigest: string;
  /** Virtual time at the end, ms. */
  readonly virtualMs: number;
}

/**
 * Runs one seed: a cluster of full nodes (chaosCluster) in a fresh
 * Simulation, client processes (runClients) while the nemesis alternates
 * faults and quiet spells, then heals everything (nemesis stop, every node
 * up), waits — bounded by healMaxMs of virtual time — until gossip sees
 * every node up and every replica of every key holds the same record
 * (hints, read repair after the final quorum reads, anti-entropy), and runs
 * the checkers: durability and phantoms (register workload), set union
 * (set workload), convergence, and LWW under the LWW resolver. Rejects only
 * for a broken harness (e.g. the cluster never converges: TIMEOUT); a
 * checker's verdict is in the report.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const workload: WorkloadOptions = { ...DEFAULT_WORKLOAD, ...options.workload };
  const ids = Array.from({ length: options.nodes ?? 5 }, (_, i) => `n${i + 1}`);
  const sim = new Simulation({ seed: options.seed, nodes: ids, disk: options.disk ?? 'memory' });
  const cluster = await chaosCluster(sim, { resolver: options.resolver, engine: options.engine });
  await sim.runUntil(cluster.allSeeAllUp, 60_000);
  const random = new SeededRandom(options.seed).fork('chaos');
  const history = new History(() => sim.now());
  const nemesis = nemesisByName(options.nemesis);
  const ctx: NemesisContext = { sim, cluster, random: random.fork('nemesis') };
  const faults: string[] = [];
  let clientsDone = false;
  let nemesisDone = false;
  let failure: unknown;
  const delay = (ms: number) => new Promise<void>((resolve) => sim.scheduler.schedule(ms, resolve));
  void runClients(sim, cluster, history, random.fork('clients'), workload).then(
    () => (clientsDone = true),
    (err: unknown) => ((failure ??= err), (clientsDone = true)),
  );
  const schedule = async (): Promise<void> => {
    const r = ctx.random.fork('schedule');
    let first = true;
    while (!clientsDone) {
      await delay(first ? r.intBetween(20, 200) : r.intBetween(50, options.quietMaxMs ?? 500));
      first = false;
      if (clientsDone) break;
      faults.push(`${sim.now()}ms ${await nemesis.start(ctx)}`);
      await delay(r.intBetween(200, options.faultMaxMs ?? 1500));
      await nemesis.stop(ctx);
    }
    await nemesis.stop(ctx);
  };
  void schedule().then(
    () => (nemesisDone = true),
    (err: unknown) => ((failure ??= err), (nemesisDone = true)),
  );
  await sim.runUntil(() => clientsDone && nemesisDone, 600_000);
  if (failure !== undefined) throw failure;
  const final = await heal(sim, cluster, workload, options.healMaxMs ?? 120_000);
  const checks = check(options, history.ops, final);
  const valid = checks.every((c) => c.valid);
  const outcomes = { ok: 0, fail: 0, info: 0 };
  for (const op of history.ops) if (op.type !== 'invoke') outcomes[op.type]++;
  const report: ChaosReport = {
    seed: options.seed,
    nemesis: nemesis.name,
    resolver: options.resolver,
    valid,
    ops: history.ops.filter((o) => o.type === 'invoke').length,
    outcomes,
    faults,
    checks,
    history: history.ops,
    minimal: valid ? [] : minimalHistory(history.ops, flaggedKeys(checks)),
    traceDigest: sim.traceDigest(),
    virtualMs: sim.now(),
  };
  await cluster.stop();
  return report;
}

interface FinalState {
  readonly reads: Map<string, string[]>;
  readonly sets: Map<string, string[]>;
  readonly replicas: Map<string, Map<NodeId, ReplicaRecord>>;
}

/** Heals the cluster, reads every key through a quorum, then waits until the replicas converge; returns what it read. */
async function heal(sim: Simulation, cluster: ChaosCluster, o: WorkloadOptions, maxMs: number): Promise<FinalState> {
  const deadline = sim.now() + maxMs;
  sim.network.heal();
  sim.network.setFaults({});
  for (const id of cluster.ids) {
    if (sim.isPaused(id)) sim.resumeNode(id);
    if (sim.isCrashed(id)) await sim.settle(cluster.restart(id));
    sim.clock(id).setSkew(0);
  }
  await sim.runUntil(cluster.allSeeAllUp, deadline - sim.now());
  const registers = o.workload === 'register' ? allRegisterKeys(o) : [];
  const setKeys = o.workload === 'set' ? allSetKeys(o) : [];
  const reads = new Map<string, string[]>();
  const sets = new Map<string, string[]>();
  for (const [i, key] of [...registers, ...setKeys].entries()) {
    const via = cluster.ids[i % cluster.ids.length]!;
    const read = await sim.settle(
      retry(sim, () => cluster.node(via).store.get(key, { consistency: 'quorum' }), deadline),
      deadline - sim.now(),
    );
    if (setKeys.includes(key)) sets.set(key, decodeSet(read));
    else
      reads.set(
        key,
        read.siblings.map((s) => Buffer.from(s.value).toString()),
      );
  }
  const keys = [...registers, ...setKeys];
  let replicas = await sim.settle(replicaRecords(cluster, keys));
  while (!converged(replicas)) {
    if (sim.now() >= deadline) break; // the convergence checker reports what still differs
    await sim.runFor(500);
    replicas = await sim.settle(replicaRecords(cluster, keys));
  }
  return { reads, sets, replicas };
}

/** Retries `op` every 200 ms until it resolves or the deadline passes (then rejects with its last error). */
async function retry<T>(sim: Simulation, op: () => Promise<T>, deadline: number): Promise<T> {
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (sim.now() + 200 >= deadline) throw err;
      await new Promise<void>((resolve) => sim.scheduler.schedule(200, resolve));
    }
  }
}

/** Each replica's own record of each key (read on the replica itself). */
async function replicaRecords(cluster: ChaosCluster, keys: readonly string[]): Promise<Map<string, Map<NodeId, ReplicaRecord>>> {
  const out = new Map<string, Map<NodeId, ReplicaRecord>>();
  for (const key of keys) {
    const byNode = new Map<NodeId, ReplicaRecord>();
    for (const id of cluster.replicasOf(key, cluster.ids[0]!)) {
      const siblings = await cluster.stored(id, key);
      byNode.set(id, {
        siblings: siblings.map((s) => ({
          version: Buffer.from(s.version).toString('hex'),
          value: s.value === null ? null : Buffer.from(s.value).toString(),
          writtenAt: s.writtenAt,
          ...(s.expiresAt === undefined ? {} : { expiresAt: s.expiresAt }),
        })),
      });
    }
    out.set(key, byNode);
  }
  return out;
}

const converged = (replicas: Map<string, Map<NodeId, ReplicaRecord>>): boolean => checkConvergence(replicas).valid;

function check(options: ChaosOptions, ops: readonly HistoryOp[], final: FinalState): CheckResult[] {
  const all = new Map([...final.reads, ...final.sets]);
  const checks: CheckResult[] = [];
  if (final.reads.size > 0) checks.push(checkDurability(ops, final.reads));
  if (final.sets.size > 0) checks.push(checkSetUnion(ops, final.sets));
  checks.push(checkPhantoms(ops, all), checkConvergence(final.replicas));
  if (options.resolver === 'lww') {
    checks.push(checkLww(ops, final.replicas, (a, b) => compareHlc(Buffer.from(a, 'hex'), Buffer.from(b, 'hex'))));
  }
  return checks;
}
