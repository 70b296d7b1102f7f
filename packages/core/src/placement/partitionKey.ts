import { DynamisError } from '../errors/DynamisError';
import type { PartitionId } from '../ports/Partitioner';
import { MAX_PARTITIONS } from './keyHash';

/** Bytes of an encoded partition id. */
export const PARTITION_KEY_BYTES = 2;

/**
 * The stable encoding of a partition id inside engine keys (docs/format.md
 * "Partition prefix"): 2 bytes, big-endian, so byte order is partition order
 * and one partition is one contiguous engine range. Writes into `out` at
 * `offset` when given, else returns a new 2-byte array. Throws
 * INVALID_ARGUMENT on an id outside [0, MAX_PARTITIONS).
 */
export function encodePartitionKey(id: PartitionId, out: Uint8Array = new Uint8Array(PARTITION_KEY_BYTES), offset = 0): Uint8Array {
  if (!Number.isInteger(id) || id < 0 || id >= MAX_PARTITIONS) {
    throw new DynamisError('INVALID_ARGUMENT', `partition must be an integer in [0, ${MAX_PARTITIONS}), got ${String(id)}`);
  }
  out[offset] = id >>> 8;
  out[offset + 1] = id & 0xff;
  return out;
}

/** The partition id encoded at `offset` of `bytes`; throws CORRUPTION if fewer than 2 bytes remain. */
export function decodePartitionKey(bytes: Uint8Array, offset = 0): PartitionId {
  if (offset < 0 || bytes.length - offset < PARTITION_KEY_BYTES) {
    throw new DynamisError('CORRUPTION', 'truncated partition prefix', { details: { where: 'partition prefix', offset } });
  }
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}
