import { z } from 'zod';

/** Options of @dynamis/membership-static, validated by staticMembership(). */
export const staticMembershipOptionsSchema = z
  .object({
    pingIntervalMs: z
      .number()
      .int()
      .min(1)
      .default(1000)
      .describe('Period of the liveness probe: every period each other member is sent one membership.ping (none while one is in flight).'),
    pingTimeoutMs: z
      .number()
      .int()
      .min(1)
      .default(500)
      .describe(
        'A ping not answered within this time (on the Clock) counts as a failure. Less than pingIntervalMs, so a ping ends before the next round.',
      ),
    failuresBeforeDown: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(3)
      .describe('Consecutive failed pings after which an up member is marked down. One answered ping marks a down member up.'),
    minTransitionMs: z
      .number()
      .int()
      .min(0)
      .default(3000)
      .describe(
        'Flap damping: least time between two transitions (up↔down) of one member. A transition due earlier waits for the first probe after it.',
      ),
  })
  .strict()
  .refine((o) => o.pingTimeoutMs < o.pingIntervalMs, { message: 'must be less than pingIntervalMs', path: ['pingTimeoutMs'] });

export type StaticMembershipOptionsInput = z.input<typeof staticMembershipOptionsSchema>;
export type StaticMembershipOptions = z.output<typeof staticMembershipOptionsSchema>;
