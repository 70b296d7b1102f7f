import { hash } from 'node:crypto';
import type { Sibling } from '../ports/types';

/** Bytes of a hashed read digest (MD5): the digest of a record whose digest input exceeds READ_DIGEST_RAW_MAX. */
export const READ_DIGEST_BYTES = 16;
/** Longest digest input sent as it is rather than hashed; also the longest digest a reply may carry. */
export const READ_DIGEST_RAW_MAX = 96;

/** Bytes of a sibling's fixed fields in a digest's input: u32 version length, u8 flags, f64 writtenAt, f64 expiresAt. */
export const SIBLING_DIGEST_FIXED = 4 + 1 + 8 + 8;
/** Reused input buffer for records whose input fits (one native call per digest, no allocation). */
const SCRATCH = Buffer.allocUnsafe(4096);

/**
 * The digest a replica answers a `digest: true` read with (docs/protocol.md
 * "Replica protocol"). Its input is, per sibling in stored order, its
 * version's length, its flags (bit 0 tombstone, bit 1 has an expiry),
 * writtenAt, expiresAt (0 when none) and its version bytes. The digest is
 * that input itself when it is at most READ_DIGEST_RAW_MAX bytes (the empty
 * record's is empty; a last-write-wins record of one sibling is 29 bytes
 * plus its writer's node id), else its MD5 (READ_DIGEST_BYTES). The two cannot be confused: an input is
 * 0 or at least SIBLING_DIGEST_FIXED (21) bytes long, never 16. Two
 * replicas holding the same siblings in the same order give the same
 * digest; the resolver's merge is deterministic, so the same siblings are
 * stored in the same order everywhere (a different order would only cost
 * the reader a second round). Pure.
 *
 * Values are not included: a version names one write (the coordinator
 * stamps a distinct one for every write, and read repair and anti-entropy
 * carry a sibling's value with its version unchanged), so equal versions
 * mean equal values, as anti-entropy's record digests assume. Comparing the
 * ~30–60 bytes of a sibling's metadata instead of its encoded record (a 1 KiB
 * value copied into an encoding) is what makes a digest read cheaper than
 * sending the record.
 *
 * Why the input itself when short: comparing it is exact (no collision at
 * all) and costs no hash; an MD5 through node:crypto costs 1–4 µs, and a
 * quorum read computed two (the replica's, and the coordinator's of the
 * record it compares with). Why MD5 beyond: one native call, 128 bits, so
 * two different records collide by accident with probability about 2^-128
 * per comparison; a deliberate collision would need two records whose
 * versions collide, and versions and writtenAt are stamped by the
 * coordinator at write time, not chosen by a client (the same trust as
 * anti-entropy's digests).
 */
export function readDigest(siblings: readonly Sibling[]): Buffer {
  const size = siblingsDigestBytes(siblings);
  const buf = size <= SCRATCH.length ? SCRATCH : Buffer.allocUnsafe(size);
  const input = buf.subarray(0, writeSiblingsDigestInput(buf, 0, siblings));
  return size <= READ_DIGEST_RAW_MAX ? Buffer.from(input) : hash('md5', input, 'buffer');
}

/** Bytes writeSiblingsDigestInput writes for `siblings`. */
export function siblingsDigestBytes(siblings: readonly Sibling[]): number {
  let size = 0;
  for (const s of siblings) size += SIBLING_DIGEST_FIXED + s.version.length;
  return size;
}

/**
 * Writes the digest input of `siblings` into `buf` at `pos` (per sibling:
 * u32be version length, u8 flags with bit 0 tombstone and bit 1 has an
 * expiry, f64be writtenAt, f64be expiresAt or 0, the version bytes) and
 * returns where it ends. Shared by readDigest and anti-entropy's record
 * digests, which hash the key before the same layout.
 */
export function writeSiblingsDigestInput(buf: Buffer, pos: number, siblings: readonly Sibling[]): number {
  for (const s of siblings) {
    buf.writeUInt32BE(s.version.length, pos);
    buf[pos + 4] = (s.value === null ? 1 : 0) | (s.expiresAt === undefined ? 0 : 2);
    buf.writeDoubleBE(s.writtenAt, pos + 5);
    buf.writeDoubleBE(s.expiresAt ?? 0, pos + 13);
    buf.set(s.version, pos + SIBLING_DIGEST_FIXED);
    pos += SIBLING_DIGEST_FIXED + s.version.length;
  }
  return pos;
}
