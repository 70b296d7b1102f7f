import { z } from 'zod';

const nodeId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1–64 characters of [A-Za-z0-9._-]')
  .describe('This node’s stable identity in the cluster.');

/** replication.speculativeRetryMs when not set (packages/quorum README, "Reads": why 50 ms). */
export const DEFAULT_SPECULATIVE_RETRY_MS = 50;

const consistency = z.union([z.enum(['one', 'quorum', 'all']), z.number().int().positive()]);

/**
 * The node configuration. Every option has a default and a description, so an
 * empty object is a valid config (a single node on embedded defaults).
 * Plugin options are validated by each plugin's own factory, not here.
 */
export const configSchema = z
  .object({
    nodeId: nodeId.default('node-1'),
    dataDir: z.string().min(1).default('./data').describe('Directory for this node’s files (engine, hints).'),
    listen: z
      .object({
        host: z.string().min(1).default('127.0.0.1').describe('Address the transport binds.'),
        port: z.number().int().min(0).max(65535).default(7070).describe('Port the transport binds (0 = any free port).'),
      })
      .prefault({})
      .describe('Where the transport listens.'),
    seeds: z.array(z.string().min(1)).default([]).describe('Addresses of nodes to contact when joining.'),
    limits: z
      .object({
        maxKeyBytes: z.number().int().positive().max(65536).default(1024).describe('Largest key, in UTF-8 bytes.'),
        maxValueBytes: z
          .number()
          .int()
          .positive()
          .max(64 * 1024 * 1024)
          .default(1024 * 1024)
          .describe('Largest value, in bytes.'),
        maxBatchOps: z.number().int().positive().default(1000).describe('Most operations in one batch.'),
      })
      .prefault({})
      .describe('Input limits; out-of-range input is rejected, never truncated.'),
    replication: z
      .object({
        n: z.number().int().positive().default(3).describe('Replicas per key (N).'),
        w: consistency.default('quorum').describe('Default write acknowledgements (W).'),
        r: consistency.default('quorum').describe('Default read replies (R).'),
        sloppyQuorum: z
          .boolean()
          .default(false)
          .describe('Let fallback nodes hold writes for down replicas as hints (needs @dynamis/hinted-handoff).'),
        readFanout: z
          .enum(['quorum', 'all'])
          .default('quorum')
          .describe("Replicas a read asks: 'quorum' = only R (self first), more when one fails or is slow; 'all' = every live one."),
        speculativeRetryMs: z
          .number()
          .int()
          .positive()
          .max(60_000)
          .optional()
          .describe("With readFanout 'quorum': ask the next replica when one asked has not answered within this (default 50 ms)."),
      })
      .strict()
      .refine((r) => r.readFanout !== 'all' || r.speculativeRetryMs === undefined, {
        path: ['speculativeRetryMs'],
        message: "only read with readFanout 'quorum' (readFanout 'all' asks every replica at once)",
      })
      // Filled only where it is read, so that a parsed config parses again unchanged.
      .transform((r) => (r.readFanout === 'all' ? r : { ...r, speculativeRetryMs: r.speculativeRetryMs ?? DEFAULT_SPECULATIVE_RETRY_MS }))
      .prefault({})
      .describe('Replication and default consistency.'),
    timeouts: z
      .object({
        requestMs: z.number().int().positive().default(5000).describe('Default timeout of one client request.'),
        pluginStartMs: z.number().int().positive().default(30000).describe('Longest a plugin may take to start.'),
        pluginStopMs: z.number().int().positive().default(30000).describe('Longest a plugin may take to stop.'),
      })
      .prefault({})
      .describe('Timeouts.'),
    log: z
      .object({
        level: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info').describe('Lowest level logged by the default logger.'),
      })
      .prefault({})
      .describe('Logging.'),
    tombstones: z
      .object({
        graceMs: z
          .number()
          .int()
          .nonnegative()
          .default(10 * 24 * 3600 * 1000)
          .describe('How long a tombstone (or expired value) is kept before compaction may purge it (cf. gc_grace).'),
        maxGraceMs: z
          .number()
          .int()
          .nonnegative()
          .optional()
          .describe(
            'With anti-entropy installed, a tombstone past graceMs is purged only once every replica peer of its partition has synced with this node since it was written, or once it is older than this (default 10 × graceMs; at least graceMs).',
          ),
      })
      .refine((t) => t.maxGraceMs === undefined || t.maxGraceMs >= t.graceMs, {
        path: ['maxGraceMs'],
        message: 'must be at least tombstones.graceMs',
      })
      .transform((t) => ({ ...t, maxGraceMs: t.maxGraceMs ?? t.graceMs * 10 }))
      .prefault({})
      .describe('Deletion markers.'),
  })
  .strict();

/** A complete, validated config (every default filled in). */
export type DynamisConfig = z.output<typeof configSchema>;
/** What a user may write: any subset of the options. */
export type DynamisConfigInput = z.input<typeof configSchema>;
