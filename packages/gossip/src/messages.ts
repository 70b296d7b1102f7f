import { z } from 'zod';

/** Message types this plugin registers (its manifest declares them). */
export const SYNC = 'gossip.sync';
export const SYNC_REPLY = 'gossip.sync.reply';
export const PROBE = 'gossip.probe';
export const PROBE_REPLY = 'gossip.probe.reply';

/** A member's state as gossiped. `suspect` and `dead` are accusations by others; the rest only the member itself issues. */
export type GossipStatus = 'alive' | 'suspect' | 'dead' | 'leaving' | 'left';

/** One member entry on the wire and in the view. */
export interface GossipEntry {
  readonly id: string;
  readonly address: string;
  readonly status: GossipStatus;
  /** Version of the member's own state; only the member raises it (refutation, leave). */
  readonly incarnation: number;
  readonly zone?: string | undefined;
  readonly weight?: number | undefined;
}

export const MAX_ID_LENGTH = 64;
/** A DNS name (253) plus `:port`, with room for a bracketed IPv6 host. */
export const MAX_ADDRESS_LENGTH = 270;

export const entrySchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
    address: z.string().min(1).max(MAX_ADDRESS_LENGTH),
    status: z.enum(['alive', 'suspect', 'dead', 'leaving', 'left']),
    incarnation: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    zone: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional(),
    weight: z.number().positive().max(1000).optional(),
  })
  .strict();

/** Schemas of the four messages, with `maxEntries` entries at most per message. */
export function messageSchemas(maxEntries: number) {
  const entries = z.array(entrySchema).max(maxEntries);
  return {
    /** A gossip round, a probe, a join or a full sync: `full` asks for the receiver's whole view in the reply. */
    sync: z.object({ updates: entries, full: z.boolean() }).strict(),
    syncReply: z.object({ from: entrySchema.shape.id, updates: entries }).strict(),
    /** Indirect probe: the receiver probes `target` and says whether it answered. */
    probe: z.object({ target: entrySchema.shape.id, updates: entries }).strict(),
    probeReply: z.object({ from: entrySchema.shape.id, ok: z.boolean(), updates: entries }).strict(),
  };
}

export type MessageSchemas = ReturnType<typeof messageSchemas>;

/** Drops counted in stats(): why an inbound message or entry was refused. */
export type DropReason =
  /** A message failed its schema (also: a reply that did). */
  | 'invalid-message'
  /** A message carried more than maxEntriesPerMessage entries. */
  | 'too-many-entries'
  /** A new member would exceed maxMembers. */
  | 'view-full'
  /** An incarnation beyond this node's clock + maxClockSkewMs. */
  | 'incarnation-ahead'
  /** An entry about this node, from another node, that no one but this node may issue (leaving/left, or an incarnation above its own). */
  | 'self-authority'
  /** A reply from another id than the one called. */
  | 'wrong-sender';

export const DROP_REASONS: readonly DropReason[] = [
  'invalid-message',
  'too-many-entries',
  'view-full',
  'incarnation-ahead',
  'self-authority',
  'wrong-sender',
];
