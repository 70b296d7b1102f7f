import type { WorkloadName } from './args';
import {
  ceilingCase,
  SHAPED_CEILING_CASE,
  engineCallsPerOp,
  engineCase,
  floorCase,
  inProcessCase,
  inProcessFloorCase,
  kvCase,
  NO_ENGINE,
  roundTripCase,
  ycsbCase,
  type Round,
} from './cases';
import { VALUE_SIZES } from './kvTargets';
import { median } from './stats';
import { READ_PROPORTION } from './ycsb';

/** Medians over the rounds of one case (NaN when no round has it). */
export interface CaseMedian {
  readonly opsPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  /** Summed over the rounds. */
  readonly errors: number;
  /** CPU time per operation, µs: the driver process, and the server processes together. */
  readonly driverUs: number;
  readonly serversUs: number;
  /** The kernel's part (stime) of serversUs. */
  readonly serversSysUs: number;
  /** Write-type system calls of the server processes together per operation (socket and file writes). */
  readonly serversWrites: number;
}

export function caseMedian(rounds: readonly Round[], name: string): CaseMedian {
  const of = (f: (r: NonNullable<ReturnType<Round['get']>>) => number): number =>
    median(rounds.flatMap((round) => (round.has(name) ? [f(round.get(name)!)] : [])));
  const errors = rounds.reduce((sum, round) => sum + (round.get(name)?.errors ?? 0), 0);
  return {
    opsPerSec: of((r) => r.opsPerSec),
    p50: of((r) => r.latency.p50),
    p99: of((r) => r.latency.p99),
    p999: of((r) => r.latency.p999),
    errors,
    driverUs: of((r) => r.cpu.driverUsPerOp),
    serversUs: of((r) => r.cpu.serversUsPerOp),
    serversSysUs: of((r) => r.cpu.serversSysUsPerOp),
    serversWrites: of((r) => r.serversWritesPerOp),
  };
}

/** The median over the rounds of rate(num) / rate(den), each ratio taken within one round; and the per-round ratios. */
export function ratioMedian(rounds: readonly Round[], num: string, den: string): { median: number; each: number[] } {
  const each = rounds.map((r) => (r.get(num)?.opsPerSec ?? NaN) / (r.get(den)?.opsPerSec ?? NaN)).filter((x) => Number.isFinite(x));
  return { median: median(each), each };
}

/** 12345.6 → '12 346'; NaN → '–'. */
export function rate(n: number): string {
  return Number.isFinite(n)
    ? Math.round(n)
        .toString()
        .replace(/\B(?=(\d{3})+(?!\d))/g, ' ')
    : '–';
}
const ms = (n: number): string => (Number.isFinite(n) ? (n < 10 ? n.toFixed(3) : n.toFixed(1)) : '–');
const ratio = (r: { median: number; each: number[] }): string =>
  Number.isFinite(r.median) ? `**${r.median.toFixed(2)}** (rounds: ${r.each.map((x) => x.toFixed(2)).join(', ')})` : '–';
const us = (n: number): string => (Number.isFinite(n) ? n.toFixed(0) : '–');
const writes = (n: number): string => (Number.isFinite(n) ? n.toFixed(2) : '–');
const cell = (m: CaseMedian): string =>
  Number.isFinite(m.opsPerSec) ? `${rate(m.opsPerSec)} (${ms(m.p50)} / ${ms(m.p99)}; ${us(m.serversUs)} µs)` : '–';

/** A workload's mix, as the tables label it. */
function mixOf(w: WorkloadName): string {
  const reads = Math.round(READ_PROPORTION[w] * 100);
  return `${reads}% reads, ${100 - reads}% updates`;
}

/**
 * Which parts of the cluster table ran: the cluster's workloads, the
 * coordination-free floor, the fan-out ceiling; and `engine`, when the
 * cluster engine's calls were measured alone (engineCase), that engine and
 * the machine's cores, for the CPU budget (cpuBudget).
 */
export interface ClusterParts {
  readonly cluster: boolean;
  readonly floor: boolean;
  readonly ceiling: boolean;
  readonly engine?: { readonly name: string; readonly cores: number };
}

/** The target for workload A, as a share of the corked fan-out ceiling's rate. */
export const CLUSTER_TARGET = 0.6;

/** What a rate target leaves of the CPU per operation (cpuBudget). */
export interface CpuBudget {
  /** CPU µs per operation that `cores` fully busy allow at `target` × the ceiling's rate. */
  readonly allowedUs: number;
  /** The messages' CPU µs per operation: the fan-out with the workload's message sizes, bare ws, corked (servers and driver). */
  readonly messagesUs: number;
  /** The engines' CPU µs per operation, alone. */
  readonly engineUs: number;
  /** The highest share of the ceiling's rate an operation costing messagesUs + engineUs could reach on `cores`. */
  readonly bound: number;
}

/**
 * The CPU budget of a cluster operation: at `target` × the ceiling's rate
 * (`ceilingOps` ops/s), `cores` fully busy allow `allowedUs` µs of CPU per
 * operation. An operation sends its messages (at least `messagesUs`, what
 * bare ws spends sending messages of their sizes with nothing else) and
 * makes its engine calls (`engineUs`, measured alone), so it reaches at most
 * `bound` × the ceiling even if nothing else costs anything. Pure.
 */
export function cpuBudget(ceilingOps: number, messagesUs: number, engineUs: number, cores: number, target = CLUSTER_TARGET): CpuBudget {
  return {
    allowedUs: (cores * 1e6) / (target * ceilingOps),
    messagesUs,
    engineUs,
    bound: (cores * 1e6) / (messagesUs + engineUs) / ceilingOps,
  };
}

/**
 * The cluster table: a row per workload (cluster), per workload's floor
 * (floor) and per ceiling (ceiling), then the ratios whose two sides ran:
 * workload A against the corked and plain ceilings (the target),
 * the floor's A against the corked ceiling (the most any coordinator could
 * reach with today's per-replica work), and workload A against its floor
 * (what coordination costs).
 */
export function clusterReport(rounds: readonly Round[], workloads: readonly WorkloadName[], parts: ClusterParts): string[] {
  const lines = [
    '| case | ops/s | p50 ms | p99 ms | p99.9 ms | errors | CPU/op servers µs | CPU/op driver µs | write calls/op servers |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const row = (label: string, name: string): void => {
    const m = caseMedian(rounds, name);
    const cells = [rate(m.opsPerSec), ms(m.p50), ms(m.p99), ms(m.p999), m.errors, us(m.serversUs), us(m.driverUs), writes(m.serversWrites)];
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  };
  if (parts.cluster) for (const w of workloads) row(`workload ${w} (${mixOf(w)})`, ycsbCase(w));
  if (parts.floor) for (const w of workloads) row(`floor ${w}: 3 independent nodes, the driver coordinates (${mixOf(w)})`, floorCase(w));
  if (parts.ceiling) {
    row('fan-out ceiling, bare ws corked (3 peers, done after 2)', ceilingCase(true));
    row('fan-out ceiling, bare ws plain (3 peers, done after 2)', ceilingCase(false));
    row(
      "fan-out ceiling, bare ws corked, workload A's bytes (updates: 1 KiB out, 64 B back; reads: 64 B out, one 1 KiB back)",
      SHAPED_CEILING_CASE,
    );
  }
  lines.push('');
  const withA = workloads.includes('A');
  if (parts.cluster && parts.ceiling && withA) {
    lines.push(`- workload A / corked ceiling: ${ratio(ratioMedian(rounds, ycsbCase('A'), ceilingCase(true)))} — target ≥ 0.6`);
    lines.push(`- workload A / plain ceiling: ${ratio(ratioMedian(rounds, ycsbCase('A'), ceilingCase(false)))}`);
  }
  if (parts.floor && parts.ceiling && withA)
    lines.push(
      `- floor A / corked ceiling: ${ratio(ratioMedian(rounds, floorCase('A'), ceilingCase(true)))} (the per-replica work alone, coordination free)`,
    );
  if (parts.cluster && parts.floor && withA)
    lines.push(
      `- workload A / floor A: ${ratio(ratioMedian(rounds, ycsbCase('A'), floorCase('A')))} (what the cluster keeps after coordinating)`,
    );
  if (parts.ceiling && parts.engine !== undefined && withA) lines.push(...budgetLines(rounds, parts.engine));
  return lines;
}

/**
 * cpuBudget of workload A from the medians: the corked ceiling's rate, the
 * CPU per op of the corked fan-out with workload A's message sizes (the
 * messages' cost) and of the engine's calls alone; nothing if one did not run.
 */
function budgetLines(rounds: readonly Round[], engine: { readonly name: string; readonly cores: number }): string[] {
  const ceiling = caseMedian(rounds, ceilingCase(true));
  const shaped = caseMedian(rounds, SHAPED_CEILING_CASE);
  const engineUs = engineUsBeyondLoop(rounds, engine.name, 'A');
  const b = cpuBudget(ceiling.opsPerSec, shaped.serversUs + shaped.driverUs, engineUs, engine.cores);
  if (!Number.isFinite(b.allowedUs + b.bound)) return [];
  return [
    `- CPU budget of workload A at ${CLUSTER_TARGET} × the corked ceiling (medians): ${engine.cores} cores fully busy at ${rate(CLUSTER_TARGET * ceiling.opsPerSec)} ops/s allow ${us(b.allowedUs)} µs of CPU per op. ` +
      `The messages of an op, with workload A's sizes (bare ws, corked), cost ${us(b.messagesUs)} µs (servers + driver) and engine-${engine.name}'s ${engineCallsPerOp('A')} calls per op, alone (engines section, beyond its loop), ${us(b.engineUs)} µs: ` +
      `${us(b.messagesUs + b.engineUs)} µs. At the target, the client, the nodes' request path, the replica layer and coordination together may cost at most **${us(b.allowedUs - b.messagesUs - b.engineUs)} µs** per op; ` +
      `with nothing of them, workload A could reach ${b.bound.toFixed(2)} × the corked ceiling`,
  ];
}

/** CPU µs per op of engine kind `engine`'s calls for workload `w` beyond the section's loop alone (its NO_ENGINE row): medians. */
function engineUsBeyondLoop(rounds: readonly Round[], engine: string, w: WorkloadName): number {
  return caseMedian(rounds, engineCase(engine, w)).driverUs - caseMedian(rounds, engineCase(NO_ENGINE, w)).driverUs;
}

/**
 * The engines section: per engine kind and workload, the rate and CPU per
 * operation of the replicas' engine calls alone (runReplicaEngineWorkload),
 * then that CPU beyond the loop's own (the NO_ENGINE row), per op and per
 * engine call.
 */
export function engineReport(rounds: readonly Round[], workloads: readonly WorkloadName[], engines: readonly string[]): string[] {
  const lines = [
    '| engines (3 of the kind, one per replica) | workload | ops/s | p50 ms | p99 ms | errors | engine calls per op | CPU µs per op | beyond the loop: per op | per call |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const e of engines)
    for (const w of workloads) {
      const m = caseMedian(rounds, engineCase(e, w));
      const calls = engineCallsPerOp(w);
      const beyond = engineUsBeyondLoop(rounds, e, w);
      const cells = [
        rate(m.opsPerSec),
        ms(m.p50),
        ms(m.p99),
        m.errors,
        calls,
        us(m.driverUs),
        us(beyond),
        Number.isFinite(beyond) ? (beyond / calls).toFixed(1) : '–',
      ];
      lines.push(`| ${e === NO_ENGINE ? 'none (calls that do nothing: the loop alone)' : e} | ${w} (${mixOf(w)}) | ${cells.join(' | ')} |`);
    }
  lines.push(
    '',
    "CPU is this process's, the engines' threads included. An update's 3 gets and 3 puts are the replicas' read-before-write; a read gets at 2 replicas (R=2).",
  );
  return lines;
}

/**
 * The inprocess section: each workload through the 3 cluster nodes, then
 * through the floor's 3 independent nodes, all run in the bench process; CPU
 * per op is the whole process's (nodes and driver). Then workload A against
 * its floor, as in the cluster table.
 */
export function inProcessReport(rounds: readonly Round[], workloads: readonly WorkloadName[]): string[] {
  const lines = [
    '| case | ops/s | p50 ms | p99 ms | p99.9 ms | errors | CPU/op µs (nodes + driver, one process) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const row = (label: string, name: string): void => {
    const m = caseMedian(rounds, name);
    const cells = [rate(m.opsPerSec), ms(m.p50), ms(m.p99), ms(m.p999), m.errors, us(m.driverUs)];
    lines.push(`| ${label} | ${cells.join(' | ')} |`);
  };
  for (const w of workloads) row(`workload ${w} (${mixOf(w)})`, inProcessCase(w));
  for (const w of workloads) row(`floor ${w}: 3 independent nodes, the driver coordinates (${mixOf(w)})`, inProcessFloorCase(w));
  if (workloads.includes('A')) {
    lines.push('');
    lines.push(`- workload A / floor A: ${ratio(ratioMedian(rounds, inProcessCase('A'), inProcessFloorCase('A')))}`);
  }
  return lines;
}

export function singleReport(rounds: readonly Round[], levels: readonly number[], memory: string): string[] {
  const lines = [
    '| in flight | bare ws rt plain | bare ws rt corked | client get 100 B | client put 100 B | get / plain rt | get / corked rt | put / plain rt | put / corked rt |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const n of levels) {
    const get = kvCase(memory, 'get', 100, n);
    const put = kvCase(memory, 'put', 100, n);
    const [plain, corked] = [roundTripCase(false, n), roundTripCase(true, n)];
    const rs = [
      ratioMedian(rounds, get, plain),
      ratioMedian(rounds, get, corked),
      ratioMedian(rounds, put, plain),
      ratioMedian(rounds, put, corked),
    ];
    const cells = [plain, corked, get, put].map((c) => cell(caseMedian(rounds, c)));
    lines.push(`| ${n} | ${cells.join(' | ')} | ${rs.map((r) => (Number.isFinite(r.median) ? r.median.toFixed(2) : '–')).join(' | ')} |`);
  }
  lines.push(
    '',
    'Cells: ops/s (p50 / p99 ms; CPU µs per op of the server process), medians of the rounds. Target "within 1.5× of the round trip": ratio ≥ 0.67.',
  );
  return lines;
}

/** A Markdown row of `cells`. */
const row = (cells: readonly (string | number)[]): string => `| ${cells.join(' | ')} |`;

/**
 * The single-node table: one column per target, then one ratio column per
 * (dynamis, redis) pair; without a redis target, no ratio columns and a note
 * that redis-server was missing.
 */
export function redisReport(rounds: readonly Round[], levels: readonly number[], targets: readonly string[]): string[] {
  const redis = targets.filter((t) => t.startsWith('redis'));
  const dynamis = targets.filter((t) => t.startsWith('dynamis'));
  const pairs = dynamis.flatMap((d) => redis.map((r): [string, string] => [d, r]));
  const lines = [
    row(['op', 'value', 'in flight', ...targets, ...pairs.map(([d, r]) => `${d.replace('dynamis ', '')} / ${r}`)]),
    row(['---', '---:', '---:', ...targets.map(() => '---:'), ...pairs.map(() => '---:')]),
  ];
  for (const op of ['put', 'get'] as const) {
    for (const size of VALUE_SIZES) {
      for (const n of levels) {
        const cells = targets.map((t) => cell(caseMedian(rounds, kvCase(t, op, size, n))));
        const ratios = pairs.map(([d, r]) => ratioMedian(rounds, kvCase(d, op, size, n), kvCase(r, op, size, n)).median);
        lines.push(row([op, `${size} B`, n, ...cells, ...ratios.map((x) => (Number.isFinite(x) ? x.toFixed(2) : '–'))]));
      }
    }
  }
  lines.push(
    '',
    'Cells: ops/s (p50 / p99 ms; CPU µs per op of the server process), medians of the rounds; ratios: median of the per-round ratios. Targets (issue 10, 64 in flight, 100 B): memory ≥ 0.5× redis, lsm ≥ 0.4×.',
  );
  if (redis.length === 0) lines.push('', 'redis-server was not found: no redis columns and no ratios (see --redis-server).');
  return lines;
}

/**
 * The profile section's table: put and get of `size`-byte values at `inflight`
 * on `target`, with the node's CPU per op, its kernel part, and the driver's.
 */
export function profileReport(rounds: readonly Round[], target: string, size: number, inflight: number): string[] {
  const lines = [
    row([
      'op',
      'ops/s',
      'p50 ms',
      'p99 ms',
      'errors',
      'node CPU/op µs',
      'of which kernel µs',
      'driver CPU/op µs',
      'node + driver µs',
      'node write calls/op',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---:']),
  ];
  const one = (n: number): string => (Number.isFinite(n) ? n.toFixed(1) : '–');
  for (const op of ['put', 'get'] as const) {
    const m = caseMedian(rounds, kvCase(target, op, size, inflight));
    lines.push(
      row([
        op,
        rate(m.opsPerSec),
        ms(m.p50),
        ms(m.p99),
        m.errors,
        one(m.serversUs),
        one(m.serversSysUs),
        one(m.driverUs),
        one(m.serversUs + m.driverUs),
        writes(m.serversWrites),
      ]),
    );
  }
  lines.push('', 'Medians of the rounds. The CPU columns are the steadier figures on a shared machine; rates swing with its load.');
  return lines;
}

/**
 * The driver's CPU µs per operation over the cases `names` of one round,
 * weighted by the operations each completed (NaN if none ran): the CPU per
 * op of the inprocess section's whole process over a profiled round.
 */
export function weightedDriverUsPerOp(round: Round, names: readonly string[]): number {
  let us = 0;
  let ops = 0;
  for (const name of names) {
    const r = round.get(name);
    if (r === undefined || !(r.ops > 0)) continue;
    us += r.cpu.driverUsPerOp * r.ops;
    ops += r.ops;
  }
  return ops === 0 ? NaN : us / ops;
}
