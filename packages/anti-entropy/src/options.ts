import { z } from 'zod';

/** Largest tree depth: 16⁴ = 65,536 leaves per partition. */
export const MAX_TREE_LEVELS = 4;
/** Most tree-node hashes one `antiEntropy.nodes` request may ask for (the schema's bound). */
export const MAX_NODES_PER_REQUEST = 4096;
/** Most keys one `antiEntropy.leaf` reply may list (the schema's bound). */
export const MAX_KEYS_PER_REQUEST = 4096;

/** Options of @dynamis/anti-entropy, validated by antiEntropy() and MerkleAntiEntropy. Every one is read. */
export const antiEntropyOptionsSchema = z
  .object({
    treeLevels: z
      .number()
      .int()
      .min(1)
      .max(MAX_TREE_LEVELS)
      .default(2)
      .describe(
        'Depth of each partition tree below its root; fan-out 16, so 16^treeLevels leaves per partition. Every node must use the same value.',
      ),
    intervalMs: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe(
        'Pause between two scheduled exchanges (one (partition, peer) pair each), default 1000 ms. Refused with scheduler: false (nothing would read it).',
      ),
    scheduler: z
      .boolean()
      .default(true)
      .describe('Run exchanges periodically. false: only direct exchange() calls repair (the trees are kept up to date either way).'),
    maxNodesPerRequest: z
      .number()
      .int()
      .min(16)
      .max(MAX_NODES_PER_REQUEST)
      .default(1024)
      .describe('Most tree-node hashes asked for in one request (and served in one reply).'),
    maxKeysPerRequest: z
      .number()
      .int()
      .min(1)
      .max(MAX_KEYS_PER_REQUEST)
      .default(256)
      .describe('Most keys per leaf listing, per readBatch and per writeBatch (also capped by limits.maxBatchOps).'),
    maxBytesPerSecond: z
      .number()
      .int()
      .min(1024)
      .default(8 * 1024 * 1024)
      .describe('Exchange traffic rate limit (both directions, as counted in RepairStats.bytesTransferred), per node.'),
    rebuildKeysPerSecond: z
      .number()
      .int()
      .min(1)
      .default(100_000)
      .describe('Rate limit of the tree rebuild after a start (keys read from the replica per second).'),
    maxExchangeMs: z
      .number()
      .int()
      .min(1000)
      .default(600_000)
      .describe(
        'Longest one exchange may run, listing and repair included; past it the exchange fails (TIMEOUT) at its next step, so a peer that lists keys forever cannot hold it.',
      ),
    exchangeTimeoutMs: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Deadline of each request of an exchange (default: the node's timeouts.requestMs)."),
  })
  .strict()
  .refine((o) => o.scheduler || o.intervalMs === undefined, {
    message: 'is not read when scheduler is false',
    path: ['intervalMs'],
  });

/** intervalMs when not given. */
export const DEFAULT_INTERVAL_MS = 1000;

export type AntiEntropyOptionsInput = z.input<typeof antiEntropyOptionsSchema>;
export type AntiEntropyOptions = z.output<typeof antiEntropyOptionsSchema>;
