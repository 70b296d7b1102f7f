import { z } from 'zod';

/**
 * `hints.stats`: a read-only peer message HintService answers with this
 * node's HintStore stats (HintStore.stats: pending hints per target,
 * dropped, delivered). Request: `{}` (anything else is PROTOCOL_ERROR).
 * The reply has one entry per target with pending hints, so its size is
 * bounded by the store's `maxTargets`. For operators and tests.
 */
export const HINT_STATS_MESSAGE = 'hints.stats';
export const HINT_STATS_REPLY = 'hints.stats.result';

export const hintStatsSchemas = {
  request: z.object({}).strict(),
  reply: z
    .object({
      pending: z.record(z.string(), z.number().int().nonnegative()),
      dropped: z.number().int().nonnegative(),
      delivered: z.number().int().nonnegative(),
    })
    .strict(),
};

export type HintStatsReply = z.output<typeof hintStatsSchemas.reply>;
