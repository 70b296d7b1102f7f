import { z } from 'zod';
import type { Limits } from '../kernel/requestChecks';
import type { Sibling } from '../ports/types';
import { withFastParser } from '../wire/fastParse';
import { READ_DIGEST_RAW_MAX } from './readDigest';
import { replicaFastParsers } from './replicaProtocolFast';
import { REPLICA_SCAN_MAX_BYTES, REPLICA_SCAN_MAX_LIMIT } from './scanPage';

/**
 * The replica protocol (docs/protocol.md, "Replica protocol"): node-to-node
 * reads and writes of this node's copy of the data, served by the kernel's
 * ReplicaService over the Transport and called through ReplicaClient
 * (PeerRpc). Quorum coordination, read repair, hinted handoff and
 * anti-entropy all use it.
 */
export const REPLICA_MESSAGE = {
  read: 'replica.read',
  readBatch: 'replica.readBatch',
  write: 'replica.write',
  writeBatch: 'replica.writeBatch',
  scan: 'replica.scan',
} as const;

/** Reply types: the request type + '.result'. */
export const REPLICA_REPLY = {
  read: 'replica.read.result',
  readBatch: 'replica.readBatch.result',
  write: 'replica.write.result',
  writeBatch: 'replica.writeBatch.result',
  scan: 'replica.scan.result',
} as const;

/** Most siblings of one key in one message (a write's incoming set, a read's record). */
export const REPLICA_MAX_SIBLINGS = 128;
/** Longest version accepted from another node, in bytes (the resolver may bound it further). */
export const REPLICA_MAX_VERSION_BYTES = 4096;

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
/** A read digest (readDigest.ts): at most READ_DIGEST_RAW_MAX bytes (its input as it is, or its MD5). */
const digestBytes = z.custom<Uint8Array>(
  (v) => v instanceof Uint8Array && v.length <= READ_DIGEST_RAW_MAX,
  `expected a digest of at most ${READ_DIGEST_RAW_MAX} bytes`,
);

/** One sibling as it travels: `expiresAt` absent (never null) when the value does not expire. */
export const wireSiblingSchema = z
  .object({
    version: bytes,
    value: bytes.nullable(),
    writtenAt: z.number(),
    expiresAt: z.number().optional(),
  })
  .strict();

export const wireSiblingsSchema = z.array(wireSiblingSchema).max(REPLICA_MAX_SIBLINGS);

/**
 * A key's partition as a request carries it (optional; see
 * docs/protocol.md "Replica protocol"): an integer ≥ 0 here; the replica
 * checks it is below its Q (INVALID_ARGUMENT).
 */
const partition = z.number().int().nonnegative();

/**
 * replicaSchemas per `maxBatchOps`, built once: zod
 * schemas are immutable, and building them (with the fast parsers) costs a
 * node start more than everything else it does (a simulation starts
 * hundreds of nodes).
 */
const schemaCache = new Map<number, ReturnType<typeof buildReplicaSchemas>>();

/**
 * The request and reply schemas, with batch bounds from the config's limits:
 * at most `limits.maxBatchOps` keys per batch, REPLICA_MAX_SIBLINGS siblings
 * per key. Key and sibling contents are checked by the replica layer
 * (INVALID_KEY, INVALID_ARGUMENT), not here. Each schema carries a fast
 * parser (replicaProtocolFast.ts), proven equivalent by a property test.
 */
export function replicaSchemas(limits: Limits): ReturnType<typeof buildReplicaSchemas> {
  let s = schemaCache.get(limits.maxBatchOps);
  if (s === undefined) {
    s = buildReplicaSchemas(limits);
    if (schemaCache.size >= 16) schemaCache.clear(); // a bound: a handful of distinct limits in one process
    schemaCache.set(limits.maxBatchOps, s);
  }
  return s;
}

function buildReplicaSchemas(limits: Limits) {
  const key = z.string().min(1);
  const entry = z.object({ key, siblings: wireSiblingsSchema, partition: partition.optional() }).strict();
  const fast = replicaFastParsers(REPLICA_MAX_SIBLINGS, limits.maxBatchOps);
  // `digest: true` asks for the record's digest (readDigest.ts) instead of the record.
  const digest = z.boolean().optional();
  return {
    ...scanSchemas(key),
    read: withFastParser(z.object({ key, partition: partition.optional(), digest }).strict(), fast.read),
    readBatch: withFastParser(
      z
        .object({
          keys: z.array(key).min(1).max(limits.maxBatchOps),
          partitions: z.array(partition).min(1).max(limits.maxBatchOps).optional(),
          digest,
        })
        .strict(),
      fast.readBatch,
    ),
    write: withFastParser(entry, fast.write),
    writeBatch: withFastParser(z.object({ entries: z.array(entry).min(1).max(limits.maxBatchOps) }).strict(), fast.writeBatch),
    readResult: withFastParser(z.object({ siblings: wireSiblingsSchema }).strict(), fast.readResult),
    readBatchResult: withFastParser(
      z.object({ records: z.array(wireSiblingsSchema).max(limits.maxBatchOps) }).strict(),
      fast.readBatchResult,
    ),
    /** The reply (type `replica.read.result`) to a read with `digest: true`. */
    readDigestResult: withFastParser(z.object({ digest: digestBytes }).strict(), fast.readDigestResult),
    /** The reply (type `replica.readBatch.result`) to a readBatch with `digest: true`: one digest per key, in order. */
    readDigestBatchResult: withFastParser(
      z.object({ digests: z.array(digestBytes).max(limits.maxBatchOps) }).strict(),
      fast.readDigestBatchResult,
    ),
    writeResult: withFastParser(z.object({ stored: z.number().int().nonnegative() }).strict(), fast.writeResult),
    writeBatchResult: withFastParser(
      z.object({ stored: z.array(z.number().int().nonnegative()).max(limits.maxBatchOps) }).strict(),
      fast.writeBatchResult,
    ),
  };
}

/**
 * `replica.scan` and its reply (zod only: not a hot path). The request's
 * budgets are bounded here (limit ≤ REPLICA_SCAN_MAX_LIMIT, maxBytes ≤
 * REPLICA_SCAN_MAX_BYTES); the partition is checked against Q by the replica.
 */
function scanSchemas(key: z.ZodString) {
  return {
    scan: z
      .object({
        partition,
        after: key.optional(),
        prefix: z.string().optional(),
        limit: z.number().int().min(1).max(REPLICA_SCAN_MAX_LIMIT),
        maxBytes: z.number().int().min(1).max(REPLICA_SCAN_MAX_BYTES),
      })
      .strict(),
    scanResult: z
      .object({
        entries: z.array(z.object({ key, siblings: wireSiblingsSchema.min(1) }).strict()).max(REPLICA_SCAN_MAX_LIMIT),
        next: key.nullable(),
      })
      .strict(),
  };
}

export type ReplicaSchemas = ReturnType<typeof replicaSchemas>;

/** The wire form of a sibling: exactly its fields, an absent expiry left out. */
export function toWireSibling(s: Sibling): Sibling {
  return s.expiresAt === undefined
    ? { version: s.version, value: s.value, writtenAt: s.writtenAt }
    : { version: s.version, value: s.value, writtenAt: s.writtenAt, expiresAt: s.expiresAt };
}

/** A parsed wire sibling as a Sibling (no `expiresAt` key when absent). */
export function fromWireSibling(s: z.output<typeof wireSiblingSchema>): Sibling {
  return toWireSibling(s as Sibling);
}
