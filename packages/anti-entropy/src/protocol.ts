import { z } from 'zod';
import { MAX_PARTITIONS } from '@dynamis/core';
import { DIGEST_BYTES } from './merkle/digest';
import { MAX_KEYS_PER_REQUEST, MAX_NODES_PER_REQUEST, MAX_TREE_LEVELS } from './options';

/**
 * The anti-entropy protocol (node to node, over the kernel's PeerRpc; see the
 * README, "Protocol"). Two requests read a peer's tree; the records of the
 * keys found to differ then move through the replica protocol
 * (replica.readBatch / replica.writeBatch).
 *
 * - `antiEntropy.nodes`: the hashes of `indices` at `level` of `partition`'s
 *   tree, concatenated, 16 bytes each.
 * - `antiEntropy.leaf`: the (key, digest) entries of one leaf after `after`,
 *   sorted, at most `limit`, with `more` when the leaf holds more.
 *
 * Both carry the sender's partition count and tree depth; a node whose own
 * differ answers INVALID_ARGUMENT (the trees would not be comparable). A
 * node still rebuilding its trees answers UNAVAILABLE (`rebuilding: true`).
 */
export const AE_MESSAGE = { nodes: 'antiEntropy.nodes', leaf: 'antiEntropy.leaf' } as const;
export const AE_REPLY = { nodes: 'antiEntropy.nodes.result', leaf: 'antiEntropy.leaf.result' } as const;

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');
const shape = {
  partitionCount: z.number().int().min(1).max(MAX_PARTITIONS),
  levels: z.number().int().min(1).max(MAX_TREE_LEVELS),
  partition: z
    .number()
    .int()
    .min(0)
    .max(MAX_PARTITIONS - 1),
};

export const nodesRequestSchema = z
  .object({
    ...shape,
    level: z.number().int().min(0).max(MAX_TREE_LEVELS),
    indices: z.array(z.number().int().min(0)).min(1).max(MAX_NODES_PER_REQUEST),
  })
  .strict();

export const nodesReplySchema = z.object({ hashes: bytes.refine((b) => b.length <= DIGEST_BYTES * MAX_NODES_PER_REQUEST) }).strict();

export const leafRequestSchema = z
  .object({
    ...shape,
    leaf: z.number().int().min(0),
    after: z.string().optional(),
    limit: z.number().int().min(1).max(MAX_KEYS_PER_REQUEST),
  })
  .strict();

export const leafReplySchema = z
  .object({
    entries: z
      .array(
        z.object({ key: z.string().min(1), digest: bytes.refine((b) => b.length === DIGEST_BYTES, 'digest must be 16 bytes') }).strict(),
      )
      .max(MAX_KEYS_PER_REQUEST),
    more: z.boolean(),
  })
  .strict();

export type NodesRequest = z.output<typeof nodesRequestSchema>;
export type LeafRequest = z.output<typeof leafRequestSchema>;

/**
 * The bytes a message payload counts for in RepairStats.bytesTransferred and
 * the rate limit: byte strings and strings at their (UTF-8) length, numbers 8,
 * booleans and null 1, object field names at their length. Callers add the
 * request's and the reply's message types the same way; framing is not
 * counted. Pure; walks at most the
 * value's own nodes.
 */
export function payloadBytes(value: unknown): number {
  if (value instanceof Uint8Array) return value.length;
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (typeof value === 'number') return 8;
  if (value === null || typeof value === 'boolean') return 1;
  if (value === undefined) return 0;
  if (Array.isArray(value)) return value.reduce((n: number, v) => n + payloadBytes(v), 0);
  if (typeof value === 'object') {
    let n = 0;
    for (const [k, v] of Object.entries(value)) if (v !== undefined) n += Buffer.byteLength(k, 'utf8') + payloadBytes(v);
    return n;
  }
  return 0;
}
