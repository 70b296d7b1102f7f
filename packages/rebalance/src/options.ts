import { z } from 'zod';

/** Largest page a source sends (`maxBytesInFlight`'s bound): 16 MiB. */
export const MAX_BYTES_IN_FLIGHT = 16 * 1024 * 1024;
/** Most streams one node may run at once (`maxConcurrentStreams`'s bound). */
export const MAX_CONCURRENT_STREAMS = 64;

/** Options of @dynamis/rebalance, validated by rebalance() and PartitionRebalancer. Every one is read. */
export const rebalanceOptionsSchema = z
  .object({
    maxBytesInFlight: z
      .number()
      .int()
      .min(1024)
      .max(MAX_BYTES_IN_FLIGHT)
      .default(1024 * 1024)
      .describe(
        'Flow control per stream: the receiver asks for one page at a time, of at most this many record bytes (a page always carries at least one record).',
      ),
    maxConcurrentStreams: z
      .number()
      .int()
      .min(1)
      .max(MAX_CONCURRENT_STREAMS)
      .default(2)
      .describe('Most partitions this node streams in at once.'),
    maxKeysPerPage: z
      .number()
      .int()
      .min(1)
      .max(4096)
      .default(512)
      .describe('Most records per page (also capped by limits.maxBatchOps, since a page is applied in one batch).'),
    announceIntervalMs: z
      .number()
      .int()
      .min(10)
      .default(1000)
      .describe('Period of the re-announcement of this node’s view and holdings to every member (also sent at once on every change).'),
    drainMs: z
      .number()
      .int()
      .min(0)
      .optional()
      .describe(
        'Wait between learning that every member routes by the new placement and starting to stream, so that writes coordinated under the old one have landed (default: 2 × timeouts.requestMs).',
      ),
    pageTimeoutMs: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe("Deadline of each page request and each announcement (default: the node's timeouts.requestMs)."),
    maxStreamMs: z
      .number()
      .int()
      .min(1000)
      .default(3_600_000)
      .describe(
        'Longest one partition stream may run; past it the stream is given up (TIMEOUT, logged) and the partition pulled again from the next source, so a source that never ends cannot hold a stream slot forever.',
      ),
    retryMs: z.number().int().min(1).default(500).describe('Pause before a failed stream is tried again (from the next source).'),
  })
  .strict();

export type RebalanceOptionsInput = z.input<typeof rebalanceOptionsSchema>;
export type RebalanceOptions = z.output<typeof rebalanceOptionsSchema>;
