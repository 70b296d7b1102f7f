import { createHash, hash } from 'node:crypto';
import type { PartitionId, Sibling } from '@dynamis/core';

/** Bytes of every tree hash and entry digest (MD5). */
export const DIGEST_BYTES = 16;
/** Bits of key hash per tree level (fan-out 16). */
export const LEVEL_BITS = 4;

/** Where a key sits: its partition and its leaf in that partition's tree. */
export interface KeyPosition {
  readonly partition: PartitionId;
  readonly leaf: number;
}

/**
 * The position of `key` among 2^partitionBits partitions and 16^levels leaves
 * per partition: the partition is the top `partitionBits` bits of the 64-bit
 * key hash (docs/format.md "Key hash": the first 8 bytes of the key's MD5,
 * big-endian; so the same partition as core's partitionOfKey and
 * Placement.partitionOf), the leaf the next 4·levels bits. Reads only the
 * digest's first 4 bytes (partitionBits ≤ 16 and 4·levels ≤ 16), no bigint.
 * Pure.
 */
export function keyPosition(key: string, partitionBits: number, levels: number): KeyPosition {
  const top = hash('md5', key, 'buffer').readUInt32BE(0);
  const partition = partitionBits === 0 ? 0 : top >>> (32 - partitionBits);
  const leaf = ((top << partitionBits) >>> 0) >>> (32 - LEVEL_BITS * levels);
  return { partition, leaf };
}

/**
 * The digest of one key's record: MD5 over the key's UTF-8 bytes and, per
 * sibling in stored order (the resolver's deterministic merge order), its
 * version, whether it is a tombstone, writtenAt and expiresAt. Values are not
 * hashed: a version names one write. Replicas holding the same siblings give
 * the same digest. undefined for an empty record (the key counts as absent).
 */
export function recordDigest(key: string, siblings: readonly Sibling[]): Buffer | undefined {
  if (siblings.length === 0) return undefined;
  const h = createHash('md5');
  HEAD.writeUInt32BE(Buffer.byteLength(key, 'utf8'), 0);
  h.update(HEAD).update(key, 'utf8');
  for (const s of siblings) {
    FIXED.writeUInt32BE(s.version.length, 0);
    FIXED[4] = (s.value === null ? 1 : 0) | (s.expiresAt === undefined ? 0 : 2);
    FIXED.writeDoubleBE(s.writtenAt, 5);
    FIXED.writeDoubleBE(s.expiresAt ?? 0, 13);
    h.update(FIXED).update(s.version);
  }
  return h.digest();
}

// Scratch buffers of recordDigest (synchronous, so never shared by two calls; Hash.update copies).
const HEAD = Buffer.alloc(4);
const FIXED = Buffer.alloc(4 + 1 + 8 + 8);

/** XORs `b` into `a` at `offset` (DIGEST_BYTES bytes). */
export function xorInto(a: Uint8Array, offset: number, b: Uint8Array): void {
  for (let i = 0; i < DIGEST_BYTES; i++) a[offset + i] = a[offset + i]! ^ b[i]!;
}
