import { DynamisError } from '../errors/DynamisError';
import { MAX_PARTITIONS } from '../placement/keyHash';
import { decodePartitionKey, encodePartitionKey, PARTITION_KEY_BYTES } from '../placement/partitionKey';
import type { PartitionId } from '../ports/Partitioner';
import { fromUtf8 } from '../util/bytes';

/**
 * Engine key spaces: the first byte of every engine key says what it holds,
 * so node-local data (hints, metadata) can share the node's engine without
 * colliding with user records. Documented in docs/format.md.
 */
export const KeySpace = {
  /** Replica records: 'd' + 2-byte partition id + UTF-8 user key. */
  data: 0x64,
  /** Hinted-handoff entries (owned by the HintStore plugin). */
  hints: 0x68,
  /** Node metadata (owned by the kernel). */
  meta: 0x6d,
} as const;

/** Bytes before the user key in a data-space engine key: the space byte and the partition id. */
export const DATA_KEY_PREFIX_BYTES = 1 + PARTITION_KEY_BYTES;

/**
 * Engine key of the record of user key `key` in partition `partition`
 * (docs/format.md "Engine key spaces"): 'd' + encodePartitionKey(partition)
 * + UTF-8 key. The caller supplies the key's own partition
 * (`partitionOfKey(key, Q)`); nothing here checks that they agree. Throws
 * INVALID_ARGUMENT on a partition outside [0, 2¹⁶).
 */
export function dataKey(partition: PartitionId, key: string): Uint8Array {
  const out = Buffer.allocUnsafe(DATA_KEY_PREFIX_BYTES + Buffer.byteLength(key, 'utf8'));
  out[0] = KeySpace.data;
  encodePartitionKey(partition, out, 1);
  out.write(key, DATA_KEY_PREFIX_BYTES, 'utf8');
  return out;
}

/** User key of a data-space engine key (throws TypeError if not UTF-8, CORRUPTION if shorter than the prefix). */
export function userKeyOf(engineKey: Uint8Array): string {
  if (engineKey.length < DATA_KEY_PREFIX_BYTES) throw truncated(engineKey);
  return fromUtf8(engineKey.subarray(DATA_KEY_PREFIX_BYTES));
}

/** Partition id of a data-space engine key (CORRUPTION if shorter than the prefix). */
export function partitionOfDataKey(engineKey: Uint8Array): PartitionId {
  if (engineKey.length < DATA_KEY_PREFIX_BYTES) throw truncated(engineKey);
  return decodePartitionKey(engineKey, 1);
}

/** True when `engineKey` is in the data key space (its first byte is 'd'). */
export function isDataKey(engineKey: Uint8Array): boolean {
  return engineKey[0] === KeySpace.data;
}

/** [gte, lt) engine-key bounds that cover one key space. */
export function keySpaceRange(space: number): { gte: Uint8Array; lt: Uint8Array } {
  return { gte: Uint8Array.of(space), lt: Uint8Array.of(space + 1) };
}

/**
 * [gte, lt) engine-key bounds of partitions `first` to `last` (inclusive) of
 * the data space: one contiguous range. Throws INVALID_ARGUMENT on an id
 * outside [0, 2¹⁶) or `last` < `first`.
 */
export function partitionRange(first: PartitionId, last: PartitionId = first): { gte: Uint8Array; lt: Uint8Array } {
  if (!(last >= first)) {
    throw new DynamisError('INVALID_ARGUMENT', `partition range [${first}, ${last}] is inverted`, { details: { first, last } });
  }
  const gte = prefixOf(first);
  const lt = last + 1 >= MAX_PARTITIONS ? keySpaceRange(KeySpace.data).lt : prefixOf(last + 1);
  return { gte, lt };
}

/** 'd' + the partition id: the first bytes of every data key of `partition`. */
function prefixOf(partition: PartitionId): Uint8Array {
  const out = new Uint8Array(DATA_KEY_PREFIX_BYTES);
  out[0] = KeySpace.data;
  encodePartitionKey(partition, out, 1);
  return out;
}

function truncated(engineKey: Uint8Array): DynamisError {
  return new DynamisError('CORRUPTION', 'data key shorter than its partition prefix', {
    details: { where: 'data key', bytes: engineKey.length },
  });
}

/**
 * The partitions, among `partitionCount`, whose data keys may lie in the
 * engine-key range [gte, lte] (memcmp order): [first, last], or undefined
 * when the range holds no data key. Errs on the wide side (a bound inside a
 * partition counts that partition).
 */
export function partitionsInEngineRange(
  gte: Uint8Array,
  lte: Uint8Array,
  partitionCount: number,
): { first: PartitionId; last: PartitionId } | undefined {
  const data = KeySpace.data;
  if ((lte[0] ?? -1) < data || (gte[0] ?? -1) > data) return undefined;
  const first = (gte[0] ?? -1) < data ? 0 : ((gte[1] ?? 0) << 8) | (gte[2] ?? 0);
  const last = (lte[0] ?? -1) > data ? partitionCount - 1 : ((lte[1] ?? 0) << 8) | (lte[2] ?? 0);
  const clampedLast = Math.min(last, partitionCount - 1);
  return first > clampedLast ? undefined : { first, last: clampedLast };
}
