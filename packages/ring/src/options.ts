import { MAX_PARTITIONS } from '@dynamis/core';
import { z } from 'zod';

/** Options of @dynamis/ring, validated by ringPartitioner() and the RingPartitioner constructor. */
export const ringOptionsSchema = z
  .object({
    partitions: z
      .number()
      .int()
      .min(1)
      .max(MAX_PARTITIONS)
      .refine((q) => (q & (q - 1)) === 0, 'must be a power of two')
      .default(256)
      .describe(
        'Q, the number of equal partitions of the key-hash space (a power of two). Fixed at cluster creation: every node must use the same.',
      ),
    weights: z
      .record(z.string().min(1), z.number().positive().finite())
      .optional()
      .describe("Relative capacity by node id; overrides the member's own weight (default 1). A weight-2 node owns twice the partitions."),
    zoneAware: z
      .boolean()
      .default(true)
      .describe("Spread each preference list over distinct zones (the members' `zone`) when there are enough zones."),
    targetN: z
      .number()
      .int()
      .min(1)
      .max(16)
      .default(3)
      .describe(
        'Replication factor the claim spaces for: a node avoids owning two partitions fewer than targetN apart (as Riak target_n_val).',
      ),
  })
  .strict();

export type RingOptions = z.input<typeof ringOptionsSchema>;
export type ResolvedRingOptions = z.output<typeof ringOptionsSchema>;
