import { MAX_PARTITIONS, wireSiblingsSchema, type Sibling } from '@dynamis/core';
import { z } from 'zod';
import { MAX_BYTES_IN_FLIGHT } from './options';

/**
 * The rebalance protocol (node to node, over the kernel's PeerRpc; README,
 * "Protocol").
 *
 * - `rebalance.announce`: the sender's view — the hash of the placement it
 *   routes by, the partitions it holds completely (a bitmap of Q bits), and
 *   whether it has seen every partition of that placement held by all its
 *   replicas (`settled`). The reply is the receiver's own view, so one call
 *   is a push and a pull.
 * - `rebalance.pull`: one page of a partition's records after key `after`
 *   (exclusive), in the engine's key order, at most `maxKeys` records and
 *   about `maxBytes` record bytes; `next` is the last key sent, absent when
 *   the partition is exhausted. A node that does not hold the partition
 *   answers UNAVAILABLE (`notHolder: true`).
 */
export const REBALANCE_MESSAGE = { announce: 'rebalance.announce', pull: 'rebalance.pull' } as const;
export const REBALANCE_REPLY = { announce: 'rebalance.announce.result', pull: 'rebalance.pull.result' } as const;

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array, 'expected bytes');

export const viewSchema = z
  .object({
    hash: z.string().max(128),
    partitionCount: z.number().int().min(1).max(MAX_PARTITIONS),
    holds: bytes.refine((b) => b.length <= MAX_PARTITIONS / 8, 'holds bitmap too long'),
    settled: z.boolean(),
  })
  .strict();

export type View = z.output<typeof viewSchema>;

export const pullRequestSchema = z
  .object({
    partitionCount: z.number().int().min(1).max(MAX_PARTITIONS),
    partition: z
      .number()
      .int()
      .min(0)
      .max(MAX_PARTITIONS - 1),
    after: z.string().min(1).optional(),
    maxKeys: z.number().int().min(1).max(4096),
    maxBytes: z.number().int().min(1).max(MAX_BYTES_IN_FLIGHT),
  })
  .strict();

export type PullRequest = z.output<typeof pullRequestSchema>;

/** The reply schema, with the page bound `maxKeys` of the receiver (a longer page is PROTOCOL_ERROR). */
export function pullReplySchema(maxKeys: number) {
  return z
    .object({
      entries: z.array(z.object({ key: z.string().min(1), siblings: wireSiblingsSchema }).strict()).max(maxKeys),
      next: z.string().min(1).optional(),
    })
    .strict();
}

/**
 * The bytes a record counts for in progress and the bench: the key's UTF-8
 * length plus, per sibling, its version and value lengths. Pure; the one
 * measure of "bytes moved" (tests compute their ideal with it too).
 */
export function recordBytes(key: string, siblings: readonly Sibling[]): number {
  let n = Buffer.byteLength(key, 'utf8');
  for (const s of siblings) n += s.version.length + (s.value === null ? 0 : s.value.length);
  return n;
}
