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

/** Distinct random values, used in turn, so that no two consecutive writes carry the same bytes. */
function values(count: number): Uint8Array[] {
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
  const pool = values(64);
  return runAll(records, inflight, (i) => clients[i % clients.length]!.put(recordKey(i), pool[i % pool.length]!));
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
  const chooser = new ScrambledZipfian(records, () => random.next());
  const reads = READ_PROPORTION[name];
  const pool = values(64);
  const read = async (client: DynamisClient, key: string): Promise<void> => {
    const r = await client.get(key);
    if (!r.found) throw new Error(`read of loaded record ${key} found nothing`);
  };
  return drive((seq) => {
    const client = clients[seq % clients.length]!;
    const key = recordKey(chooser.next());
    return random.next() < reads ? read(client, key) : client.put(key, pool[seq % pool.length]!);
  }, options);
}
