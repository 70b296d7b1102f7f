import { z } from 'zod';

const HOUR = 3_600_000;

/** Options of the HintStore (EngineHintStore), validated by hintedHandoff(). */
export const hintStoreOptionsSchema = z
  .object({
    maxHintsPerTarget: z
      .number()
      .int()
      .min(1)
      .max(10_000_000)
      .default(100_000)
      .describe('Most hints kept for one target node; an add beyond it is refused (UNAVAILABLE) and counted as dropped.'),
    maxBytesPerTarget: z
      .number()
      .int()
      .min(1)
      .default(256 * 1024 * 1024)
      .describe('Most bytes (engine key + value) of hints kept for one target; an add beyond it is refused and counted as dropped.'),
    windowMs: z
      .number()
      .int()
      .min(1)
      .default(3 * HOUR)
      .describe(
        'The hint window: a hint older than this (wall clock, from its creation) is never delivered; it is deleted and counted as dropped.',
      ),
    maxTargets: z
      .number()
      .int()
      .min(1)
      .default(1024)
      .describe('Most distinct target nodes with hints; a hint for one more target is refused and counted as dropped.'),
    sync: z
      .boolean()
      .default(false)
      .describe('Write every hint with the engine option sync: true (survives a machine crash, not only a process crash).'),
  })
  .strict();

/** Options of HintDelivery, validated by hintedHandoff(). */
export const hintDeliveryOptionsSchema = z
  .object({
    batchSize: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(100)
      .describe('Most hints sent in one replica.writeBatch (also capped by the config limits.maxBatchOps).'),
    maxBatchBytes: z
      .number()
      .int()
      .min(1)
      .default(1024 * 1024)
      .describe('Most hint bytes in one batch (a single larger hint is sent alone).'),
    maxBytesPerSecond: z
      .number()
      .int()
      .min(1)
      .default(4 * 1024 * 1024)
      .describe('Throttle: hint bytes this node sends per second, over all targets (a token bucket on the Clock).'),
    checkIntervalMs: z
      .number()
      .int()
      .min(1)
      .default(10_000)
      .describe(
        'Period of the check that expires old hints and starts delivery to every live target with hints (besides membership up events).',
      ),
  })
  .strict();

export const hintedHandoffOptionsSchema = hintStoreOptionsSchema.extend(hintDeliveryOptionsSchema.shape).strict();

export type HintStoreOptions = z.output<typeof hintStoreOptionsSchema>;
export type HintDeliveryOptions = z.output<typeof hintDeliveryOptionsSchema>;
export type HintedHandoffOptionsInput = z.input<typeof hintedHandoffOptionsSchema>;
export type HintedHandoffOptions = z.output<typeof hintedHandoffOptionsSchema>;
