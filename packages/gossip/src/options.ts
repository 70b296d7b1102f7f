import { z } from 'zod';

const ms = (def: number, what: string) => z.number().int().min(1).max(3_600_000).default(def).describe(what);

/** Options of @dynamis/gossip, validated by gossipMembership(). Every option is read; unknown keys are refused. */
export const gossipOptionsSchema = z
  .object({
    gossipIntervalMs: ms(
      200,
      'Gossip round: every period, when there are updates to spread, they are pushed (and pulled) with `fanout` random live members.',
    ),
    fanout: z.number().int().min(1).max(16).default(3).describe('Members contacted per gossip round.'),
    probeIntervalMs: ms(1000, 'SWIM protocol period: every period one member (round robin over a shuffled list) is probed.'),
    probeTimeoutMs: ms(
      200,
      'A direct probe unanswered after this fails; indirect probes then get twice this. 3 × probeTimeoutMs must not exceed probeIntervalMs.',
    ),
    indirectProbes: z
      .number()
      .int()
      .min(0)
      .max(16)
      .default(3)
      .describe('k: members asked to probe a member that missed a direct probe, before it is suspected.'),
    suspicionMultiplier: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(4)
      .describe(
        'A suspect is declared down after suspicionMultiplier × ⌈log2(n+1)⌉ × gossipIntervalMs unless it refutes (n: members not left).',
      ),
    retransmitMultiplier: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(2)
      .describe('Each update is piggybacked on at most retransmitMultiplier × ⌈log2(n+1)⌉ messages by each node that learns it.'),
    syncIntervalMs: ms(
      5000,
      'Full push-pull state exchange with one random member, down ones included: repairs missed updates and heals partitions.',
    ),
    joinRetryMs: ms(1000, 'While no seed has answered, the seeds are contacted again after this.'),
    leaveAnnounceMs: z
      .number()
      .int()
      .min(0)
      .max(60_000)
      .default(1000)
      .describe("leave(): how long 'leaving' is gossiped before 'left' is announced."),
    minTransitionMs: z
      .number()
      .int()
      .min(0)
      .max(3_600_000)
      .default(2000)
      .describe('Flap damping: least time between two up↔down transitions of one member as this node publishes them.'),
    maxMembers: z.number().int().min(2).max(65_536).default(1024).describe('Most members in the view; more are dropped (counted).'),
    maxLeftMembers: z
      .number()
      .int()
      .min(1)
      .max(65_535)
      .optional()
      .describe(
        'Most `left` members kept in the view (for the ring: a left member carries its leftAt); past it the one that left first is forgotten. Default min(128, ⌊maxMembers / 2⌋); below maxMembers.',
      ),
    maxEntriesPerMessage: z
      .number()
      .int()
      .min(1)
      .max(65_536)
      .default(256)
      .describe('Most member entries one message may carry; a message with more is refused (counted). Full syncs send at most this many.'),
    maxPiggyback: z
      .number()
      .int()
      .min(2)
      .max(1024)
      .default(32)
      .describe('Most updates piggybacked on one message (one slot is kept for what the sender holds against the receiver).'),
    maxClockSkewMs: z
      .number()
      .int()
      .min(0)
      .max(365 * 86_400_000)
      .default(3_600_000)
      .describe(
        "Incarnations start at the node's wall clock (ms); an entry whose incarnation is ahead of this node's clock by more than this is refused (counted).",
      ),
    verifyTimeoutMs: ms(
      5000,
      'A member learned from a third party is not placed until this node hears from it directly; one that has not answered a direct probe within this is forgotten (counted `unverified`).',
    ),
    verifyConcurrency: z
      .number()
      .int()
      .min(1)
      .max(64)
      .default(4)
      .describe('Most probes in flight at once that verify a member learned from a third party, or a third-party `left` claim.'),
    maxAcceptedWeight: z
      .number()
      .positive()
      .max(1000)
      .default(4)
      .describe(
        "A gossiped weight above this is taken as this (counted); this node's own `weight` must not exceed it. Same value on every node.",
      ),
    advertise: z
      .string()
      .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]{1,253}):[0-9]{1,5}$/, 'must be host:port')
      .optional()
      .describe('The address peers dial for this node (default: its entry in seeds, else listen.host:listen.port).'),
    zone: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 characters of [A-Za-z0-9._-]')
      .optional()
      .describe("This node's failure-domain label, gossiped with its entry."),
    weight: z.number().positive().max(1000).default(1).describe("This node's relative capacity, gossiped with its entry."),
  })
  .strict()
  .refine((o) => 3 * o.probeTimeoutMs <= o.probeIntervalMs, {
    message: 'must be at most probeIntervalMs / 3 (a direct and an indirect probe end within one period)',
    path: ['probeTimeoutMs'],
  })
  .refine((o) => o.weight <= o.maxAcceptedWeight, { message: 'must not exceed maxAcceptedWeight', path: ['weight'] })
  .refine((o) => o.verifyTimeoutMs >= o.probeIntervalMs, {
    message: 'must be at least probeIntervalMs (time for a verification probe and a retry)',
    path: ['verifyTimeoutMs'],
  })
  .refine((o) => o.maxLeftMembers === undefined || o.maxLeftMembers < o.maxMembers, {
    message: 'must be below maxMembers',
    path: ['maxLeftMembers'],
  })
  .refine((o) => o.maxEntriesPerMessage <= o.maxMembers, { message: 'must not exceed maxMembers', path: ['maxEntriesPerMessage'] })
  .refine((o) => o.maxPiggyback <= o.maxEntriesPerMessage, { message: 'must not exceed maxEntriesPerMessage', path: ['maxPiggyback'] });

export type GossipOptionsInput = z.input<typeof gossipOptionsSchema>;
export type GossipOptions = z.output<typeof gossipOptionsSchema>;

/** The maxLeftMembers in force: the option, else min(128, ⌊maxMembers / 2⌋). */
export function leftMembersBound(o: Pick<GossipOptions, 'maxLeftMembers' | 'maxMembers'>): number {
  return o.maxLeftMembers ?? Math.min(128, Math.floor(o.maxMembers / 2));
}
