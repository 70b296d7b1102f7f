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
  /** When the member first joined the cluster (ms on its clock), kept across its restarts; only the member sets it. */
  readonly joinedAt?: number | undefined;
  /** When the member left (ms), only on a `left` entry; stamped by the member's leave(). */
  readonly leftAt?: number | undefined;
}

export const MAX_ID_LENGTH = 64;
/** A DNS name (253) plus `:port`, with room for a bracketed IPv6 host. */
export const MAX_ADDRESS_LENGTH = 270;

/**
 * One entry on the wire is one string (docs in README "Wire format"):
 * `<id> <status> <incarnation> <address>[ z=<zone>][ w=<weight>][ j=<joinedAt>][ l=<leftAt>]`. A string
 * per entry keeps a message a flat array of strings: cheap to copy, and one
 * anchored regex checks it.
 */
const ENTRY_RE =
  /^([A-Za-z0-9._-]{1,64}) (alive|suspect|dead|leaving|left) ([0-9]{1,16}) ([^\s]{1,270})(?: z=([A-Za-z0-9._-]{1,64}))?(?: w=([0-9][0-9.e+-]{0,23}))?(?: j=([0-9]{1,16}))?(?: l=([0-9]{1,16}))?$/;
export const MAX_ENTRY_LENGTH = 500;

const encoded = new WeakMap<GossipEntry, string>();

/** The wire form of `e` (cached per entry object; entries are immutable). */
export function encodeEntry(e: GossipEntry): string {
  let s = encoded.get(e);
  if (s === undefined) {
    s = `${e.id} ${e.status} ${e.incarnation} ${e.address}${e.zone === undefined ? '' : ` z=${e.zone}`}${e.weight === undefined ? '' : ` w=${e.weight}`}${e.joinedAt === undefined ? '' : ` j=${e.joinedAt}`}${e.leftAt === undefined ? '' : ` l=${e.leftAt}`}`;
    encoded.set(e, s);
  }
  return s;
}

/**
 * zod schema of one wire entry, output a GossipEntry: the format above,
 * incarnation, joinedAt and leftAt safe integers, weight in (0, 1000], leftAt
 * only on a `left` entry and not before joinedAt.
 */
export const entrySchema = z
  .string()
  .max(MAX_ENTRY_LENGTH)
  .regex(ENTRY_RE, 'is not "<id> <status> <incarnation> <address>[ z=<zone>][ w=<weight>][ j=<joinedAt>][ l=<leftAt>]"')
  .transform((text, ctx): GossipEntry => {
    const [, id, status, inc, address, zone, weight, joined, left] = ENTRY_RE.exec(text)!;
    const incarnation = Number(inc);
    const w = weight === undefined ? undefined : Number(weight);
    const joinedAt = joined === undefined ? undefined : Number(joined);
    const leftAt = left === undefined ? undefined : Number(left);
    const issue = (message: string): void => ctx.addIssue({ code: 'custom', message });
    if (!Number.isSafeInteger(incarnation)) issue(`incarnation ${inc} is not a safe integer`);
    if (w !== undefined && !(w > 0 && w <= 1000)) issue(`weight ${weight} is not in (0, 1000]`);
    if (joinedAt !== undefined && !Number.isSafeInteger(joinedAt)) issue(`joinedAt ${joined} is not a safe integer`);
    if (leftAt !== undefined && !Number.isSafeInteger(leftAt)) issue(`leftAt ${left} is not a safe integer`);
    if (leftAt !== undefined && status !== 'left') issue(`leftAt on a '${status}' entry (only a 'left' one carries it)`);
    if (leftAt !== undefined && joinedAt !== undefined && leftAt < joinedAt) issue(`leftAt ${left} is before joinedAt ${joined}`);
    const entry: GossipEntry = { id: id!, address: address!, status: status as GossipStatus, incarnation };
    return {
      ...entry,
      ...(zone === undefined ? {} : { zone }),
      ...(w === undefined ? {} : { weight: w }),
      ...(joinedAt === undefined ? {} : { joinedAt }),
      ...(leftAt === undefined ? {} : { leftAt }),
    };
  });

const nodeIdSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/);

/** Schemas of the four messages, with `maxEntries` entries at most per message. */
export function messageSchemas(maxEntries: number) {
  const entries = z.array(entrySchema).max(maxEntries);
  return {
    /** A gossip round, a probe, a join or a full sync: `full` asks for the receiver's whole view in the reply. */
    sync: z.object({ updates: entries, full: z.boolean() }).strict(),
    syncReply: z.object({ from: nodeIdSchema, updates: entries }).strict(),
    /** Indirect probe: the receiver probes `target` and says whether it answered. */
    probe: z.object({ target: nodeIdSchema, updates: entries }).strict(),
    probeReply: z.object({ from: nodeIdSchema, ok: z.boolean(), updates: entries }).strict(),
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
  /** A joinedAt or leftAt beyond this node's clock + maxClockSkewMs. */
  | 'time-ahead'
  /** An entry about this node, from another node, that no one but this node may issue (leaving/left, or an incarnation above its own). */
  | 'self-authority'
  /** A reply from another id than the one called. */
  | 'wrong-sender'
  /** A member learned from a third party that did not answer a direct probe within verifyTimeoutMs: forgotten. */
  | 'unverified'
  /** A third-party `left` claim about a member that then answered a probe (directly or through a helper) not as left. */
  | 'departure-refuted';

export const DROP_REASONS: readonly DropReason[] = [
  'invalid-message',
  'too-many-entries',
  'view-full',
  'incarnation-ahead',
  'time-ahead',
  'self-authority',
  'wrong-sender',
  'unverified',
  'departure-refuted',
];
