import type { WorkloadName } from './args';
import { drive, type CaseResult, type DriveOptions } from './drive';
import { random } from './env';
import { fanout, type EchoPeers, type FanoutShape } from './fanout';
import { randomValues, sizedKey, VALUE_SIZES, type KvTarget } from './kvTargets';
import type { Nodes } from './nodes';
import { READ_PROPORTION, type runWorkload } from './ycsb';

/** The results of one round, by case name (see the *Case functions for the names). */
export type Round = Map<string, CaseResult>;

/** Runs one case and records it under `name`, unless this round has it already; progress on stderr. */
export async function measure(round: Round, label: string, name: string, run: () => Promise<CaseResult>): Promise<void> {
  if (round.has(name)) return;
  process.stderr.write(`${label} ${name} ... `);
  const r = await run();
  round.set(name, r);
  const errors = r.errors > 0 ? `, ${r.errors} errors (first: ${r.firstError})` : '';
  const cpu = `CPU/op: driver ${Math.round(r.cpu.driverUsPerOp)} µs, servers ${Math.round(r.cpu.serversUsPerOp)} µs, ${r.serversWritesPerOp.toFixed(2)} write calls`;
  process.stderr.write(`${Math.round(r.opsPerSec)} ops/s, p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${cpu}${errors}\n`);
}

export const ycsbCase = (w: WorkloadName): string => `ycsb ${w}`;
export const floorCase = (w: WorkloadName): string => `floor ycsb ${w}`;
export const inProcessCase = (w: WorkloadName): string => `inprocess ycsb ${w}`;
export const inProcessFloorCase = (w: WorkloadName): string => `inprocess floor ycsb ${w}`;
/**
 * Calls that do nothing (a get answers a stored record at once): the
 * section's loop, key encoding and draws alone, subtracted from each
 * engine's CPU per op.
 */
export const NO_ENGINE = 'none';

export const engineCase = (engine: string, w: WorkloadName): string => `engines ${engine} ycsb ${w}`;
export const ceilingCase = (cork: boolean): string => `ceiling ${cork ? 'corked' : 'plain'}`;
/** The corked fan-out ceiling with workload A's message sizes (A_SHAPE). */
export const SHAPED_CEILING_CASE = "ceiling corked, workload A's bytes";
export const roundTripCase = (cork: boolean, inflight: number): string => `bare ws rt ${cork ? 'corked' : 'plain'} @${inflight}`;
export const kvCase = (target: string, op: 'put' | 'get', size: number, inflight: number): string =>
  `${target} ${op} ${size} B @${inflight}`;

/** Engine calls per operation of workload `name` (runReplicaEngineWorkload): 2 gets per read, 3 gets and 3 puts per update. */
export function engineCallsPerOp(name: WorkloadName): number {
  const reads = READ_PROPORTION[name];
  return reads * 2 + (1 - reads) * 6;
}

/** Message size of the fan-out ceiling: a 1 KiB record plus a little framing, as a replica write carries. */
export const CEILING_BYTES = 1024 + 64;
/** Size of a fan-out message that carries no record: a request for one, an acknowledgement, a digest. */
export const SMALL_MESSAGE_BYTES = 64;

/** Workload A's bytes in the fan-out's shape (FanoutShape): half updates (the record out, acks back), half reads (small requests, one record back). */
export const A_SHAPE: FanoutShape = { readProportion: READ_PROPORTION.A, recordBytes: CEILING_BYTES, smallBytes: SMALL_MESSAGE_BYTES };

/** Message size of the bare round trip compared with the single-node client path (100-byte values). */
export const ROUND_TRIP_BYTES = 128;

/**
 * The YCSB workloads through `nodes`, each recorded as `name(w)`: run by
 * `run`, the cluster's runWorkload (as ycsbCase; inProcessCase for the
 * in-process cluster, whose driver CPU is the whole path's) or the floor's
 * runFloorWorkload (as floorCase; inProcessFloorCase in process).
 */
export async function workloadCases(
  round: Round,
  label: string,
  nodes: Nodes,
  workloads: readonly WorkloadName[],
  records: number,
  o: DriveOptions,
  name: (w: WorkloadName) => string,
  run: typeof runWorkload,
): Promise<void> {
  for (const w of workloads) await measure(round, label, name(w), () => run(nodes.clients, w, records, o));
}

/** The fan-out ceiling corked and plain, then corked with workload A's message sizes (what the CPU budget counts as the messages' cost). */
export async function ceilingCases(round: Round, label: string, ports: readonly number[], o: DriveOptions): Promise<void> {
  for (const cork of [true, false]) await measure(round, label, ceilingCase(cork), () => fanout(ports, 2, CEILING_BYTES, cork, o));
  await measure(round, label, SHAPED_CEILING_CASE, () => fanout(ports, 2, CEILING_BYTES, true, o, A_SHAPE));
}

/** Every put and get of `targets`, for each value size and in-flight level, targets side by side for each shape. */
export async function kvCases(
  round: Round,
  label: string,
  targets: readonly KvTarget[],
  levels: readonly number[],
  records: number,
  o: DriveOptions,
): Promise<void> {
  for (const size of VALUE_SIZES) {
    const pool = randomValues(size);
    for (const op of ['put', 'get'] as const) {
      for (const inflight of levels) {
        for (const t of targets) {
          const key = (): string => sizedKey(size, random.int(records));
          const run = op === 'put' ? (seq: number) => t.put(key(), pool[seq % pool.length]!) : () => t.get(key());
          await measure(round, label, kvCase(t.name, op, size, inflight), () => drive(run, { ...o, inflight, servers: t.pids }));
        }
      }
    }
  }
}

/** The bare-ws round trip (plain and corked) to one echo process, and the client path on `memory` (100-byte values), at each level. */
export async function singleCases(
  round: Round,
  label: string,
  echo: EchoPeers,
  memory: KvTarget,
  levels: readonly number[],
  records: number,
  o: DriveOptions,
): Promise<void> {
  const pool = randomValues(100);
  const key = (): string => sizedKey(100, random.int(records));
  for (const inflight of levels) {
    const at = { ...o, inflight, servers: memory.pids };
    const bare = { ...o, inflight, servers: echo.pids };
    for (const cork of [false, true])
      await measure(round, label, roundTripCase(cork, inflight), () => fanout(echo.ports, 1, ROUND_TRIP_BYTES, cork, bare));
    await measure(round, label, kvCase(memory.name, 'get', 100, inflight), () => drive(() => memory.get(key()), at));
    await measure(round, label, kvCase(memory.name, 'put', 100, inflight), () =>
      drive((seq) => memory.put(key(), pool[seq % pool.length]!), at),
    );
  }
}

/** Value size of the profile section: the single-node shape. */
export const PROFILE_VALUE_BYTES = 100;

/** The profile section: put, then get, of 100-byte values on loaded keys of `target`, `o.inflight` in flight. */
export async function profileCases(round: Round, label: string, target: KvTarget, records: number, o: DriveOptions): Promise<void> {
  const pool = randomValues(PROFILE_VALUE_BYTES);
  const key = (): string => sizedKey(PROFILE_VALUE_BYTES, random.int(records));
  const at = { ...o, servers: target.pids };
  await measure(round, label, kvCase(target.name, 'put', PROFILE_VALUE_BYTES, o.inflight), () =>
    drive((seq) => target.put(key(), pool[seq % pool.length]!), at),
  );
  await measure(round, label, kvCase(target.name, 'get', PROFILE_VALUE_BYTES, o.inflight), () => drive(() => target.get(key()), at));
}
