import { createHash } from 'node:crypto';
import { keyHash, type PartitionId, type Sibling } from '@dynamis/core';

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
 * key hash (core's keyHash, so the same partition as Placement.partitionOf),
 * the leaf the next 4·levels bits. Pure.
 */
export function keyPosition(key: string, partitionBits: number, levels: number): KeyPosition {
  const h = keyHash(key);
  const partition = partitionBits === 0 ? 0 : Number(h >> BigInt(64 - partitionBits));
  const leafBits = LEVEL_BITS * levels;
  const leaf = Number((h >> BigInt(64 - partitionBits - leafBits)) & ((1n << BigInt(leafBits)) - 1n));
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
  const keyBytes = Buffer.from(key, 'utf8');
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(keyBytes.length, 0);
  h.update(head).update(keyBytes);
  const fixed = Buffer.allocUnsafe(4 + 1 + 8 + 8);
  for (const s of siblings) {
    fixed.writeUInt32BE(s.version.length, 0);
    fixed[4] = (s.value === null ? 1 : 0) | (s.expiresAt === undefined ? 0 : 2);
    fixed.writeDoubleBE(s.writtenAt, 5);
    fixed.writeDoubleBE(s.expiresAt ?? 0, 13);
    h.update(fixed).update(s.version);
  }
  return h.digest();
}

/** XORs `b` into `a` at `offset` (DIGEST_BYTES bytes). */
export function xorInto(a: Uint8Array, offset: number, b: Uint8Array): void {
  for (let i = 0; i < DIGEST_BYTES; i++) a[offset + i] = a[offset + i]! ^ b[i]!;
}
