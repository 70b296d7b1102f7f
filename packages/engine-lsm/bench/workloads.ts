// db_bench-style workloads: 16-byte keys ("%016d" of the key number), 100-byte
// random (incompressible) values, seeded so every engine sees the same keys.
import type { BenchDb } from './adapters';

export const KEY_BYTES = 16;
export const VALUE_BYTES = 100;

export interface WorkloadResult {
  readonly workload: string;
  readonly ops: number;
  readonly seconds: number;
  readonly opsPerSec: number;
  /** Reads that found a value (readrandom/readmissing sanity check). */
  readonly found?: number;
}

/** xorshift32: a tiny seeded PRNG (benchmarks only). */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  below(n: number): number {
    return this.next() % n;
  }
}

/** The key of number `i` (missing keys use a prefix that no fill writes). */
export function keyOf(i: number, missing = false): Uint8Array {
  const s = (missing ? 'm' : '') + String(i).padStart(missing ? KEY_BYTES - 1 : KEY_BYTES, '0');
  return Buffer.from(s, 'latin1');
}

export function valueOf(rng: Rng): Uint8Array {
  const v = Buffer.allocUnsafe(VALUE_BYTES);
  for (let i = 0; i < VALUE_BYTES; i += 4) v.writeUInt32LE(rng.next(), i);
  return v;
}

/** A random permutation of 0..n-1 (Fisher–Yates), so fillrandom writes each key once. */
export function permutation(n: number, rng: Rng): Uint32Array {
  const p = new Uint32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.below(i + 1);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p;
}

/** Runs `count` operations with `inFlight` outstanding at a time; `op(i)` starts operation i. */
export async function drive(count: number, inFlight: number, op: (i: number) => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  if (inFlight <= 1) {
    for (let i = 0; i < count; i++) await op(i);
  } else {
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < count) await op(next++);
    };
    await Promise.all(Array.from({ length: inFlight }, lane));
  }
  return Number(process.hrtime.bigint() - start) / 1e9;
}

export function result(workload: string, ops: number, seconds: number, found?: number): WorkloadResult {
  return found === undefined
    ? { workload, ops, seconds, opsPerSec: ops / seconds }
    : { workload, ops, seconds, opsPerSec: ops / seconds, found };
}

/** Fills keys 0..n-1 in `order` (awaited one at a time unless inFlight > 1). */
export async function fill(db: BenchDb, name: string, order: Uint32Array, inFlight: number, durable = false): Promise<WorkloadResult> {
  const rng = new Rng(7);
  const values = Array.from({ length: 1024 }, () => valueOf(rng));
  const seconds = await drive(order.length, inFlight, (i) => db.put(keyOf(order[i]!), values[i & 1023]!, durable));
  return result(name, order.length, seconds);
}

export async function fillBatch(db: BenchDb, n: number, batchSize: number): Promise<WorkloadResult> {
  const rng = new Rng(11);
  const batches = Math.ceil(n / batchSize);
  const seconds = await drive(batches, 1, (b) => {
    const entries: Array<[Uint8Array, Uint8Array]> = [];
    for (let i = b * batchSize; i < Math.min(n, (b + 1) * batchSize); i++) entries.push([keyOf(i), valueOf(rng)]);
    return db.batch(entries);
  });
  return result(`fillbatch(${batchSize})`, n, seconds);
}

export async function readRandom(
  db: BenchDb,
  name: string,
  n: number,
  reads: number,
  inFlight: number,
  missing: boolean,
): Promise<WorkloadResult> {
  const rng = new Rng(missing ? 23 : 19);
  const keys = Array.from({ length: reads }, () => keyOf(rng.below(n), missing));
  let found = 0;
  const seconds = await drive(reads, inFlight, async (i) => {
    if ((await db.get(keys[i]!)) !== undefined) found++;
  });
  return result(name, reads, seconds, found);
}

export async function deleteRandom(db: BenchDb, n: number, deletes: number): Promise<WorkloadResult> {
  const order = permutation(n, new Rng(29)).subarray(0, deletes);
  const seconds = await drive(deletes, 1, (i) => db.del(keyOf(order[i]!)));
  return result('deleterandom', deletes, seconds);
}

export async function readSeq(db: BenchDb): Promise<WorkloadResult> {
  const start = process.hrtime.bigint();
  const n = await db.scan();
  return result('readseq', n, Number(process.hrtime.bigint() - start) / 1e9);
}
