import { z } from 'zod';

/**
 * The admin protocol: read-only requests a client (a sender `client:<id>`,
 * authenticated with its token like any client) sends to one node about that
 * node itself. Served by AdminApi; used by `dynamis status` and `dynamis
 * members` (@dynamis/cli). Reference: docs/protocol.md "Admin API".
 *
 * Types start with `client.` because transports let clients send only that
 * prefix (transport-ws clientTypePrefix). `client.admin.status` takes an empty object and answers with this node's view:
 * no request is forwarded, nothing is written, and the reply size is bounded
 * by the member count (one row per member) and a fixed set of counters.
 */
export const ADMIN_MESSAGE = { status: 'client.admin.status' } as const;

/** Reply envelope types, one per request type. */
export const ADMIN_REPLY = { status: 'client.admin.status.result' } as const;

/** The `client.admin.status` request: no field (an unknown one is a PROTOCOL_ERROR). */
export const adminStatusRequestSchema = z.object({}).strict();

const memberRow = z.object({
  id: z.string(),
  address: z.string(),
  /** joining | up | down | leaving | left, as this node's membership believes. */
  status: z.string(),
  zone: z.string().optional(),
});

/** The `client.admin.status.result` payload. */
export const adminStatusSchema = z.object({
  nodeId: z.string(),
  /** The plugins composed, in start order (names of their manifests). */
  plugins: z.array(z.string()),
  /** replication.n/w/r of this node's config (w and r: a number or one|quorum|all). */
  replication: z.object({ n: z.number(), w: z.union([z.number(), z.string()]), r: z.union([z.number(), z.string()]) }),
  /** Every member this node knows, itself included, sorted by id; just this node when it has no Membership. */
  members: z.array(memberRow),
  /** Absent without a Partitioner: Q, and the partitions this node is first (owner) or any of the N replicas of. */
  partitions: z.object({ total: z.number(), owned: z.number(), replicated: z.number() }).optional(),
  /** The engine's stats; absent if the engine is not open. */
  engine: z.object({ engine: z.string(), approximateBytes: z.number(), counters: z.record(z.string(), z.number()) }).optional(),
  /** Pending hints per target node and in total; absent without a HintStore. */
  hints: z.object({ pending: z.record(z.string(), z.number()), total: z.number() }).optional(),
  /** The Rebalancer's progress (ports/Rebalancer.ts RebalanceProgress); absent without a Rebalancer. */
  rebalance: z
    .object({
      placementHash: z.string(),
      pending: z.number(),
      streaming: z.number(),
      done: z.number(),
      toDrop: z.number(),
      dropped: z.number(),
      bytesMoved: z.number(),
      keysMoved: z.number(),
      bytesPerSecond: z.number(),
      settled: z.boolean(),
    })
    .optional(),
});

export type AdminStatus = z.output<typeof adminStatusSchema>;
