import { hash } from 'node:crypto';
import type { Sibling } from '../ports/types';
import { encodeRecord } from './recordCodec';

/** Bytes of a read digest (MD5). */
export const READ_DIGEST_BYTES = 16;

/**
 * The digest a replica answers a `digest: true` read with (docs/protocol.md
 * "Replica protocol"): MD5 over the record's encoding (recordCodec: every
 * sibling's version, value or tombstone, writtenAt and expiresAt, in stored
 * order). Two replicas holding the same siblings in the same order give the
 * same digest; the resolver's merge is deterministic, so the same siblings
 * are stored in the same order everywhere (a different order would only cost
 * the reader a second round). An empty record has a digest too (of its
 * two-byte encoding). Pure.
 *
 * Why MD5: one native call, 128 bits, so two different records collide by
 * accident with probability about 2^-128 per comparison; a deliberate
 * collision would need two records whose whole encodings collide, and the
 * versions and writtenAt in them are stamped by the coordinator at write
 * time, not chosen by a client (the same trust as anti-entropy's digests).
 */
export function readDigest(siblings: readonly Sibling[]): Buffer {
  return encodedRecordDigest(encodeRecord(siblings));
}

/**
 * readDigest of the record whose encodeRecord bytes are `encoded` (e.g. a
 * replica's stored record, which encodeRecord wrote), without decoding and
 * encoding it again. Pure.
 */
export function encodedRecordDigest(encoded: Uint8Array): Buffer {
  return hash('md5', encoded, 'buffer');
}
