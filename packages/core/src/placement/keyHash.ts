import { hash } from 'node:crypto';
import { DynamisError } from '../errors/DynamisError';
import type { PartitionBounds, PartitionId } from '../ports/Partitioner';

/** Most partitions a cluster may have (2¹⁶), so a partition id fits the 2-byte engine-key prefix. */
export const MAX_PARTITIONS = 1 << 16;

const TWO_64 = 1n << 64n;

/**
 * The 64-bit key hash (docs/format.md "Key hash"): the first 8 bytes of the
 * MD5 digest of the key's UTF-8 bytes, read big-endian. The same on every node
 * and every release: it decides where data lives on disk and on which nodes.
 * Throws INVALID_ARGUMENT if `key` is not a string.
 */
export function keyHash(key: string): bigint {
  return digest(key).readBigUInt64BE(0);
}

/**
 * The partition of `key` among `partitionCount` equal partitions:
 * keyHash(key) >> (64 − log2 Q). Reads only the digest's first 4 bytes (Q ≤
 * 2¹⁶), so no bigint is built. Throws INVALID_ARGUMENT on a bad key or count.
 */
export function partitionOfKey(key: string, partitionCount: number): PartitionId {
  const bits = partitionBits(partitionCount);
  return bits === 0 ? 0 : top32(key) >>> (32 - bits);
}

/** Most keys of one memo generation (see top32); the memo holds at most twice this many. */
export const KEY_HASH_MEMO_KEYS = 4096;
/** Longest key (UTF-16 code units) remembered: the memo holds at most 2 × KEY_HASH_MEMO_KEYS × this many characters. */
export const KEY_HASH_MEMO_MAX_KEY = 128;
/** key → the first 4 bytes of its MD5 digest, big-endian (what every partition count derives its partition from): this generation's. */
let memo = new Map<string, number>();
/** The generation before: still consulted, so that a key used in both stays remembered when a generation turns. */
let older = new Map<string, number>();
/** Digests computed by top32 (for tests of the memo). */
let digests = 0;

/**
 * The first 32 bits of `key`'s digest, remembered for recently hashed short
 * keys: a request's key is hashed by its coordinator, and hot keys (a skewed
 * workload) come back often; one MD5 costs ~1–4 µs, a Map look-up ~0.1–0.3.
 * Two generations of at most KEY_HASH_MEMO_KEYS keys of at most
 * KEY_HASH_MEMO_MAX_KEY characters: a key is added to the current one (from
 * the older one if it is there, else hashed); when the current one is full
 * it becomes the older one and the one before is dropped. So the keys used
 * since the last turn survive it (clearing everything at once kept 24–39% of
 * the look-ups of a zipfian 0.99 workload over 10,000 keys from hashing;
 * two generations keep 66%). A pure function of `key`: the same result
 * with or without the memo.
 */
function top32(key: string): number {
  const known = memo.get(key);
  if (known !== undefined) return known;
  let v = older.get(key);
  if (v === undefined) {
    v = digest(key).readUInt32BE(0);
    digests++;
  }
  if (key.length <= KEY_HASH_MEMO_MAX_KEY) {
    if (memo.size >= KEY_HASH_MEMO_KEYS) {
      older = memo;
      memo = new Map();
    }
    memo.set(key, v);
  }
  return v;
}

/** Keys in the memo of partitionOfKey, both generations (for tests of its bound). */
export function keyHashMemoSize(): number {
  return memo.size + older.size;
}

/** Digests partitionOfKey has computed since the process started, memo misses (for tests of the memo). */
export function keyHashDigests(): number {
  return digests;
}

/** The half-open key-hash bounds of partition `id` of `partitionCount`. Throws INVALID_ARGUMENT on bad numbers. */
export function partitionBounds(id: PartitionId, partitionCount: number): PartitionBounds {
  partitionBits(partitionCount);
  checkPartitionId(id, partitionCount);
  const width = TWO_64 / BigInt(partitionCount);
  return { id, start: BigInt(id) * width, end: BigInt(id + 1) * width };
}

/**
 * log2 of `partitionCount`; throws INVALID_ARGUMENT unless it is a power of two
 * in [1, MAX_PARTITIONS].
 */
export function partitionBits(partitionCount: number): number {
  if (
    !Number.isInteger(partitionCount) ||
    partitionCount < 1 ||
    partitionCount > MAX_PARTITIONS ||
    (partitionCount & (partitionCount - 1)) !== 0
  ) {
    throw new DynamisError(
      'INVALID_ARGUMENT',
      `partition count must be a power of two from 1 to ${MAX_PARTITIONS}, got ${String(partitionCount)}`,
      {
        details: { partitionCount },
      },
    );
  }
  return 31 - Math.clz32(partitionCount);
}

/** Throws INVALID_ARGUMENT unless `id` is an integer in [0, partitionCount). */
export function checkPartitionId(id: unknown, partitionCount: number): asserts id is PartitionId {
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id >= partitionCount) {
    throw new DynamisError('INVALID_ARGUMENT', `partition must be an integer in [0, ${partitionCount}), got ${String(id)}`, {
      details: { partition: id, partitionCount },
    });
  }
}

function digest(key: string): Buffer {
  if (typeof key !== 'string') throw new DynamisError('INVALID_ARGUMENT', `key must be a string, got ${typeof key}`);
  return hash('md5', key, 'buffer');
}
