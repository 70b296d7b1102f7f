import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataKey, encodeRecord, NodeFileSystem, partitionOfKey, SystemClock, type StorageEngine, type Version } from '@dynamis/core';
import { LsmStorageEngine } from '@dynamis/engine-lsm';
import { MemoryStorageEngine } from '@dynamis/engine-memory';
import type { ClassicLevel } from 'classic-level';
import type { WorkloadName } from './args';
import { NO_ENGINE } from './cases';
import { drive, runAll, type CaseResult, type DriveOptions } from './drive';
import { random } from './env';
import { READ_PROPORTION, values } from './ycsb';
import { recordKey, ScrambledZipfian } from '@dynamis/workload';

/** The engines the engine section measures: the cluster's two, and LevelDB (classic-level) for reference. */
export const REPLICA_ENGINES = ['lsm', 'memory', 'leveldb'] as const;
export type ReplicaEngineName = (typeof REPLICA_ENGINES)[number] | typeof NO_ENGINE;

/** Partitions of the bench cluster's ring (the ring's default Q): engine keys carry one, as a replica writes them. */
const PARTITIONS = 256;

/** The slice of an engine a replica's reads and writes use. */
export interface EngineCalls {
  get(key: Uint8Array): Promise<unknown>;
  put(key: Uint8Array, value: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Three engines of one kind, each in its own directory: the cluster's three replicas, without their nodes. */
export interface ReplicaEngines {
  readonly name: ReplicaEngineName;
  /** The directory holding the three engines' directories (removed by `stop`). */
  readonly dir: string;
  readonly engines: readonly EngineCalls[];
  stop(): Promise<void>;
}

/** A port engine as EngineCalls. */
function portCalls(engine: StorageEngine): EngineCalls {
  return { get: (k) => engine.get(k), put: (k, v) => engine.put(k, v), close: () => engine.close() };
}

/** Opens one engine of `name` in `dir`, with its defaults (engine-lsm: its default fsync policy, as the bench's nodes run it). */
async function openEngine(name: ReplicaEngineName, dir: string): Promise<EngineCalls> {
  if (name === NO_ENGINE) {
    const record = storedRecords(1)[0]!;
    return { get: () => Promise.resolve(record), put: () => Promise.resolve(), close: () => Promise.resolve() };
  }
  if (name === 'leveldb') {
    // Loaded here, not at the top: a platform without classic-level's native binary loses this row, not the whole bench.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { ClassicLevel: Level } = require('classic-level') as { ClassicLevel: typeof ClassicLevel };
    const db = new Level<Uint8Array, Uint8Array>(dir, { keyEncoding: 'view', valueEncoding: 'view' });
    await db.open();
    return { get: (k) => db.get(k), put: (k, v) => db.put(k, v), close: () => db.close() };
  }
  const engine = name === 'lsm' ? new LsmStorageEngine(new NodeFileSystem(), dir, {}, new SystemClock()) : new MemoryStorageEngine();
  await engine.open();
  return portCalls(engine);
}

/** Opens three engines of `name` in fresh temporary directories; `stop` closes them and removes the directories. */
export async function openReplicaEngines(name: ReplicaEngineName): Promise<ReplicaEngines> {
  const root = mkdtempSync(join(tmpdir(), `dynamis-bench-engines-${name}-`));
  const engines: EngineCalls[] = [];
  const stop = async (): Promise<void> => {
    for (const e of engines.splice(0)) await e.close();
    rmSync(root, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < 3; i++) engines.push(await openEngine(name, join(root, `r${i}`)));
  } catch (err) {
    await stop();
    throw err;
  }
  return { name, dir: root, engines, stop };
}

/** The engine key of YCSB record `key`, as a replica stores it: 'd', its partition, the key. */
function engineKey(key: string): Uint8Array {
  return dataKey(partitionOfKey(key, PARTITIONS), key);
}

/** What a replica stores for an update: the record codec's bytes of one sibling with a 1 KiB value (ycsb's values). */
function storedRecords(count: number): Uint8Array[] {
  return values(count).map((value, i) =>
    encodeRecord([{ version: new Uint8Array(21).fill(i) as Version, value, writtenAt: 1_700_000_000_000 + i }]),
  );
}

/** Loads records 0 … records - 1 into each of the three engines. */
export function loadReplicaEngines(r: ReplicaEngines, records: number, inflight: number): Promise<{ opsPerSec: number; seconds: number }> {
  const pool = storedRecords(64);
  return runAll(records, inflight, async (i) => {
    const key = engineKey(recordKey(i));
    await Promise.all(r.engines.map((e) => e.put(key, pool[i % pool.length]!)));
  });
}

/**
 * The engine calls one operation of YCSB workload `name` makes at the
 * cluster's replicas (N=3 W=2 R=2), without anything else of the cluster: a
 * read gets the record at 2 of the 3 replicas (R=2); an update reads it and
 * writes it at all 3 (each replica reads before it writes: the resolver
 * merges the incoming record with the stored one). Keys and the read/update
 * draw are the cluster section's (scrambled zipfian over `records`). Returns
 * the operation: `op(seq)` settles when its calls have; a read that finds
 * nothing rejects (the records were loaded).
 */
export function replicaEngineOp(r: ReplicaEngines, name: WorkloadName, records: number): (seq: number) => Promise<void> {
  const chooser = new ScrambledZipfian(records, () => random.next());
  const reads = READ_PROPORTION[name];
  const pool = storedRecords(64);
  const [a, b, c] = r.engines as [EngineCalls, EngineCalls, EngineCalls];
  const pairs: ReadonlyArray<readonly [EngineCalls, EngineCalls]> = [
    [a, b],
    [b, c],
    [c, a],
  ];
  const update = async (e: EngineCalls, key: Uint8Array, value: Uint8Array): Promise<void> => {
    await e.get(key);
    await e.put(key, value);
  };
  return async (seq) => {
    const key = engineKey(recordKey(chooser.next()));
    if (random.next() < reads) {
      const [x, y] = pairs[seq % 3]!;
      const found = await Promise.all([x.get(key), y.get(key)]);
      if (found.some((v) => v === undefined)) throw new Error('read of a loaded record found nothing');
    } else {
      const value = pool[seq % pool.length]!;
      await Promise.all([update(a, key, value), update(b, key, value), update(c, key, value)]);
    }
  };
}

/**
 * replicaEngineOp's operations in `options.inflight` loops (drive). CPU per
 * op is this process's, engines' threads included: what the engines cost
 * for one cluster operation, a floor under any cluster's CPU per operation.
 */
export function runReplicaEngineWorkload(
  r: ReplicaEngines,
  name: WorkloadName,
  records: number,
  options: DriveOptions,
): Promise<CaseResult> {
  return drive(replicaEngineOp(r, name, records), options);
}
