import type { DynamisClient } from '@dynamis/client';
import { randomBytes } from 'node:crypto';
import { runAll } from './drive';
import type { RedisOps } from './redisServer';

/** Something the single-node cases put to and get from: a Dynamis node through its client, or redis-server through node-redis. */
export interface KvTarget {
  /** Column name, e.g. 'dynamis memory', 'redis everysec'. */
  readonly name: string;
  /** The server process(es) behind it, whose CPU time is measured. */
  readonly pids: readonly number[];
  put(key: string, value: Buffer): Promise<unknown>;
  /** Rejects when the key is missing: every get of the bench reads a loaded key. */
  get(key: string): Promise<unknown>;
}

export function dynamisTarget(name: string, client: DynamisClient, pids: readonly number[]): KvTarget {
  return {
    name,
    pids,
    put: (key, value) => client.put(key, value),
    get: async (key) => {
      const r = await client.get(key);
      if (!r.found) throw new Error(`get of loaded key ${key} found nothing`);
    },
  };
}

export function redisTarget(name: string, client: RedisOps, pids: readonly number[]): KvTarget {
  return {
    name,
    pids,
    put: (key, value) => client.set(key, value),
    get: async (key) => {
      if ((await client.get(key)) === null) throw new Error(`get of loaded key ${key} found nothing`);
    },
  };
}

/** The value sizes of the single-node cases, in bytes. */
export const VALUE_SIZES = [100, 1024] as const;

/** The key of record `n` among the keys holding `size`-byte values. */
export function sizedKey(size: number, n: number): string {
  return `s${size}/${n}`;
}

/** `count` random values of `size` bytes, used in turn by the puts. */
export function randomValues(size: number, count = 64): Buffer[] {
  return Array.from({ length: count }, () => randomBytes(size));
}

/** Puts every key sizedKey(size, 0 … records - 1) for every size of `sizes` (default VALUE_SIZES), `inflight` in flight. */
export async function loadTarget(
  target: KvTarget,
  records: number,
  inflight: number,
  sizes: readonly number[] = VALUE_SIZES,
): Promise<void> {
  for (const size of sizes) {
    const pool = randomValues(size);
    await runAll(records, inflight, (i) => target.put(sizedKey(size, i), pool[i % pool.length]!));
  }
}
