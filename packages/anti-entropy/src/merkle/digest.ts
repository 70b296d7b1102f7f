import { hash } from 'node:crypto';
import { partitionOfKey, siblingsDigestBytes, writeSiblingsDigestInput, type PartitionId, type Sibling } from '@dynamis/core';

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
 * The leaf of `key` in a tree of `levels` levels (1–4): the top 4·levels bits
 * of the 32-bit FNV-1a hash of the key's UTF-16 code units, finished with
 * MurmurHash3's fmix32 so every bit of the key reaches the top bits. Not the
 * key hash: a leaf only has to be the same on every node running this
 * version and spread keys evenly; it costs no MD5 (a write's tree update
 * hashes nothing but its record digest). A deeper tree refines a shallower
 * one (the leaf at depth l is the prefix of the leaf at depth l + 1). Pure.
 */
export function keyLeaf(key: string, levels: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) >>> (32 - LEVEL_BITS * levels);
}

/**
 * The position of `key` among 2^partitionBits partitions and 16^levels leaves
 * per partition: the partition is core's partitionOfKey (the top
 * `partitionBits` bits of the key hash, docs/format.md "Key hash"; the same as
 * Placement.partitionOf), the leaf is keyLeaf. For a key whose partition is
 * already known (a replica's write event), call keyLeaf alone. Pure.
 */
export function keyPosition(key: string, partitionBits: number, levels: number): KeyPosition {
  return { partition: partitionOfKey(key, 2 ** partitionBits), leaf: keyLeaf(key, levels) };
}

/**
 * The digest of one key's record: MD5 over the key's UTF-8 bytes and, per
 * sibling in stored order (the resolver's deterministic merge order), its
 * version, whether it is a tombstone, writtenAt and expiresAt. Values are not
 * hashed: a version names one write. Replicas holding the same siblings give
 * the same digest. undefined for an empty record (the key counts as absent).
 *
 * The bytes hashed (all nodes run the same version; nothing is persisted):
 * u32be keyLength | key | per sibling: u32be versionLength | u8 flags (bit0
 * tombstone, bit1 has expiry) | f64be writtenAt | f64be expiresAt (0 when
 * none) | version. They are laid out in one buffer and hashed with one call
 * (one native crossing per record). MD5 stays: leaf and tree hashes are XORs
 * of these digests, so a digest must not be forgeable into cancelling
 * another (a linear or non-cryptographic 128-bit hash would allow it to
 * whoever picks keys); collisions are not a concern at 128 bits.
 */
export function recordDigest(key: string, siblings: readonly Sibling[]): Buffer | undefined {
  if (siblings.length === 0) return undefined;
  const size = 4 + 3 * key.length + siblingsDigestBytes(siblings); // a UTF-16 code unit is at most 3 UTF-8 bytes
  const buf = size <= SCRATCH.length ? SCRATCH : Buffer.allocUnsafe(size);
  const pos = 4 + buf.write(key, 4, 'utf8');
  buf.writeUInt32BE(pos - 4, 0);
  // The siblings' layout is core's (writeSiblingsDigestInput), the one read digests use.
  return hash('md5', buf.subarray(0, writeSiblingsDigestInput(buf, pos, siblings)), 'buffer');
}

/** recordDigest's scratch (synchronous, so never shared by two calls); bigger records get their own buffer. */
const SCRATCH = Buffer.alloc(16 * 1024);

/** XORs `b` into `a` at `offset` (DIGEST_BYTES bytes). */
export function xorInto(a: Uint8Array, offset: number, b: Uint8Array): void {
  for (let i = 0; i < DIGEST_BYTES; i++) a[offset + i] = a[offset + i]! ^ b[i]!;
}
