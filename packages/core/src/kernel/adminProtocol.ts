import { z } from 'zod';

/**
 * The admin protocol: requests a client (a sender `client:<id>`,
 * authenticated with its token like any client) sends to one node about that
 * node itself: `status` and `ring` read only; `repair` runs an anti-entropy
 * round there (docs/protocol.md "Admin API"). Served by AdminApi; used by `dynamis status` and `dynamis
 * members` (@dynamis/cli). Reference: docs/protocol.md "Admin API".
 *
 * Types start with `client.` because transports let clients send only that
 * prefix (transport-ws clientTypePrefix). `client.admin.status` takes an empty object and answers with this node's view:
 * no request is forwarded, nothing is written, and the reply size is bounded
 * by the member count (one row per member) and a fixed set of counters.
 */
export const ADMIN_MESSAGE = {
  status: 'client.admin.status',
  ring: 'client.admin.ring',
  repair: 'client.admin.repair',
  leave: 'client.admin.leave',
} as const;

/** Reply envelope types, one per request type. */
export const ADMIN_REPLY = {
  status: 'client.admin.status.result',
  ring: 'client.admin.ring.result',
  repair: 'client.admin.repair.result',
  leave: 'client.admin.leave.result',
} as const;

/** The `client.admin.status` request: no field (an unknown one is a PROTOCOL_ERROR). */
export const adminStatusRequestSchema = z.object({}).strict();

/**
 * `client.admin.leave`: the one admin request that changes something — the
 * node leaves the cluster for good and hands its partitions off
 * (DynamisNode.leave). It must name the node it is sent to (a request that
 * reached another node is INVALID_ARGUMENT), so a script cannot decommission
 * the wrong node by connecting to the wrong address. Answered at once with
 * the departure state; progress is in the status (`departure`, `rebalance`).
 */
export const adminLeaveRequestSchema = z.object({ nodeId: z.string().min(1).max(64) }).strict();

/** The `client.admin.leave.result` payload. */
export const adminLeaveReplySchema = z.object({ nodeId: z.string(), departure: z.enum(['member', 'handing-off', 'left']) });

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
  /** 'member', or where this node is in leaving for good ('handing-off', then 'left'); absent on a node without a Transport. */
  departure: z.enum(['member', 'handing-off', 'left']).optional(),
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
      etaSeconds: z.number().optional(),
    })
    .optional(),
});

export type AdminStatus = z.output<typeof adminStatusSchema>;

/** The `client.admin.ring` request: no field. */
export const adminRingRequestSchema = z.object({}).strict();

/**
 * The `client.admin.ring.result` payload: this node's placement as a table,
 * partition → preference list (its first N nodes). `nodes` lists every node
 * named, sorted; `replicas[p]` holds indexes into `nodes`, in preference
 * order, for partition p (one row per partition, Q rows: its size grows with
 * Q × N only).
 */
export const adminRingSchema = z.object({
  nodeId: z.string(),
  /** The placement's content hash (Placement.hash). */
  placementHash: z.string(),
  partitionCount: z.number().int().nonnegative(),
  n: z.number().int().nonnegative(),
  nodes: z.array(z.string()),
  replicas: z.array(z.array(z.number().int().nonnegative())),
});

export type AdminRing = z.output<typeof adminRingSchema>;

/** The `client.admin.repair` request: one partition, or (absent) every partition this node replicates. */
export const adminRepairRequestSchema = z.object({ partition: z.number().int().nonnegative().optional() }).strict();

/** Most failed exchanges a repair reply lists (the count is always exact). */
export const ADMIN_REPAIR_MAX_FAILURES = 20;

/**
 * The `client.admin.repair.result` payload: what one anti-entropy round run
 * on request did: the (partition, peer) exchanges run, skipped (peer down)
 * and failed, and the sums of their RepairStats.
 */
export const adminRepairSchema = z.object({
  nodeId: z.string(),
  /** Exchanges run to completion. */
  exchanged: z.number().int().nonnegative(),
  /** Pairs not tried: the peer was down (membership). */
  skipped: z.number().int().nonnegative(),
  /** Exchanges that failed (the first ADMIN_REPAIR_MAX_FAILURES are listed in `failures`). */
  failed: z.number().int().nonnegative(),
  nodesCompared: z.number().int().nonnegative(),
  keysSent: z.number().int().nonnegative(),
  keysReceived: z.number().int().nonnegative(),
  bytesTransferred: z.number().int().nonnegative(),
  failures: z.array(z.object({ partition: z.number(), peer: z.string(), code: z.string(), message: z.string() })),
});

export type AdminRepair = z.output<typeof adminRepairSchema>;
