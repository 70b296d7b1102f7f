import type { DynamisClient } from '@dynamis/client';
import { randomBytes } from 'node:crypto';
import type { WorkloadName } from './args';
import { drive, runAll, type CaseResult, type DriveOptions } from './drive';
import { random } from './env';
import { recordKey, ScrambledZipfian, WORKLOADS } from '@dynamis/workload';

/** YCSB core workloads A, B and C (@dynamis/workload's WORKLOADS): the share of reads; the rest are updates (a put of a whole 1 KiB record). */
export const READ_PROPORTION: Readonly<Record<WorkloadName, number>> = {
  A: WORKLOADS.A.proportions.read,
  B: WORKLOADS.B.proportions.read,
  C: WORKLOADS.C.proportions.read,
};

/** YCSB's default record: 10 fields of 100 bytes; here one value of 1 KiB. */
export const RECORD_BYTES = 1024;

/** Distinct random values of RECORD_BYTES, used in turn, so that no two consecutive writes carry the same bytes. */
export function values(count: number): Uint8Array[] {
  return Array.from({ length: count }, () => new Uint8Array(randomBytes(RECORD_BYTES)));
}

/**
 * YCSB's load phase: puts records 0 … records - 1 (1 KiB each) with
 * `inflight` in flight, spread round-robin over `clients`. Rejects on the
 * first failure.
 */
export function loadRecords(
  clients: readonly DynamisClient[],
  records: number,
  inflight: number,
): Promise<{ opsPerSec: number; seconds: number }> {
  return putRecords(records, inflight, (i, key, value) => clients[i % clients.length]!.put(key, value));
}

/** loadRecords on independent nodes: every record is put through every one of `clients`. Rejects on the first failure. */
export function loadRecordsEverywhere(
  clients: readonly DynamisClient[],
  records: number,
  inflight: number,
): Promise<{ opsPerSec: number; seconds: number }> {
  return putRecords(records, inflight, (_, key, value) => Promise.all(clients.map((c) => c.put(key, value))));
}

/** Records 0 … records - 1 (1 KiB values from a pool), each through `put`, `inflight` at a time. */
function putRecords(
  records: number,
  inflight: number,
  put: (i: number, key: string, value: Uint8Array) => Promise<unknown>,
): Promise<{ opsPerSec: number; seconds: number }> {
  const pool = values(64);
  return runAll(records, inflight, (i) => put(i, recordKey(i), pool[i % pool.length]!));
}

/**
 * Runs YCSB workload `name` over `records` loaded records: each operation
 * picks a record with the scrambled zipfian chooser, reads it (get) with
 * probability READ_PROPORTION[name] and otherwise updates it (put), through
 * clients[seq % clients.length] (so requests are spread over the nodes).
 * A read that finds nothing counts as an error (the records were loaded).
 */
export function runWorkload(
  clients: readonly DynamisClient[],
  name: WorkloadName,
  records: number,
  options: DriveOptions,
): Promise<CaseResult> {
  const draw = workloadDraw(name, records);
  return drive((seq) => {
    const client = clients[seq % clients.length]!;
    const key = draw.key();
    return draw.isRead() ? readLoaded(client, key) : client.put(key, draw.value(seq));
  }, options);
}

/** What each operation of workload `name` over `records` draws: its key (scrambled zipfian), read or update, and an update's value. */
function workloadDraw(name: WorkloadName, records: number): { key(): string; isRead(): boolean; value(seq: number): Uint8Array } {
  const chooser = new ScrambledZipfian(records, () => random.next());
  const reads = READ_PROPORTION[name];
  const pool = values(64);
  return {
    key: () => recordKey(chooser.next()),
    isRead: () => random.next() < reads,
    value: (seq) => pool[seq % pool.length]!,
  };
}

/** A get of a loaded record; rejects if it finds nothing (an error of the case). */
async function readLoaded(client: DynamisClient, key: string): Promise<void> {
  const r = await client.get(key);
  if (!r.found) throw new Error(`read of loaded record ${key} found nothing`);
}

/**
 * Settles once `k` of `calls` resolved (resolves) or once `k` can no longer
 * resolve (rejects with the first failure's error); the others still run and
 * their outcome is ignored. With fewer than `k` calls, rejects at once.
 */
export function firstOf(calls: readonly Promise<unknown>[], k: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (calls.length < k) {
      reject(new Error(`firstOf: ${k} of ${calls.length} calls can never resolve`));
      return;
    }
    let ok = 0;
    let failed = 0;
    let firstError: unknown;
    for (const call of calls) {
      call.then(
        () => {
          if (++ok === k) resolve();
        },
        (err: unknown) => {
          if (failed++ === 0) firstError = err;
          if (calls.length - failed === k - 1) reject(firstError);
        },
      );
    }
  });
}

/**
 * Workload `name` as runWorkload draws it, on the independent nodes behind
 * `clients` (3 single nodes, each its own coordinator, each holding every
 * record), coordinated by this driver the way the cluster's coordinator does
 * it at N=3, W=2, R=2 (quorum read fan-out): a read gets the record from 2
 * of the nodes (clients[seq % n] and the next one; both must find it), an
 * update puts it through all of them and completes once 2 acknowledged (the
 * third finishes in the background). The nodes then do the cluster's
 * per-replica work (messages, engine reads and writes) and no coordination:
 * no coordinator hop, no peer RPC, no stamping or merging across replicas.
 */
export function runFloorWorkload(
  clients: readonly DynamisClient[],
  name: WorkloadName,
  records: number,
  options: DriveOptions,
): Promise<CaseResult> {
  if (clients.length < 2) throw new Error(`the floor needs at least 2 nodes, got ${clients.length}`);
  const draw = workloadDraw(name, records);
  return drive((seq) => {
    const key = draw.key();
    if (draw.isRead()) {
      const at = seq % clients.length;
      return Promise.all([readLoaded(clients[at]!, key), readLoaded(clients[(at + 1) % clients.length]!, key)]);
    }
    const value = draw.value(seq);
    return firstOf(
      clients.map((c) => c.put(key, value)),
      2,
    );
  }, options);
}
