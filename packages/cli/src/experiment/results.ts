import { parseWithSchema } from '@dynamis/core';
import { z } from 'zod';

const num = z.number().finite();

/** A W or R as a node reports it: a count, or one | quorum | all. */
const level = z.union([num, z.string()]);

const percentilesSchema = z.object({ count: num, p50: num, p95: num, p99: num, p999: num, max: num, mean: num }).strict();

/** One phase (load or run), as @dynamis/workload's PhaseResult; an operation kind never issued is null. */
const phaseSchema = z
  .object({
    operations: num,
    errors: num,
    seconds: num,
    opsPerSec: num,
    latencyMs: z.record(z.string(), percentilesSchema.nullable()),
    errorsByCode: z.record(z.string(), num),
    /** The message of the phase's first failure (absent without one). */
    firstError: z.string().optional(),
  })
  .strict();

const stalenessPointSchema = z
  .object({ delayMs: num, trials: num, stale: num, pStale: num, errors: num, errorsByCode: z.record(z.string(), num) })
  .strict();

/** What one configuration measured. A figure the nodes do not export is null ("n/a" in the reports). */
const configResultSchema = z
  .object({
    name: z.string(),
    settings: z
      .object({
        resolver: z.string(),
        engine: z.string(),
        writes: z.string(),
        n: num,
        w: num,
        r: num,
        compaction: z.string().optional(),
        fsync: z.string().optional(),
        memtableBytes: num.optional(),
        partitions: num.optional(),
      })
      .strict(),
    /** What the first node reported about itself (admin status): proof the settings reached the nodes. */
    observed: z
      .object({ replication: z.object({ n: num, w: level, r: level }).strict(), partitions: num.nullable(), plugins: z.array(z.string()) })
      .strict(),
    load: phaseSchema,
    run: phaseSchema,
    reads: z.object({ reads: num, found: num, withSiblings: num, siblings: num, maxSiblings: num }).strict(),
    storage: z
      .object({
        engine: z.string(),
        writeAmplification: num.nullable(),
        spaceAmplification: num.nullable(),
        userBytesWritten: num.nullable(),
        diskBytesWritten: num.nullable(),
        sstBytes: num.nullable(),
      })
      .strict(),
    repair: z.object({ readRepairs: num.nullable(), antiEntropyBytes: num.nullable(), antiEntropyKeys: num.nullable() }).strict(),
    staleness: z.array(stalenessPointSchema).nullable(),
  })
  .strict();

/** results.json: everything an experiment measured, enough to render its reports again. */
export const resultsSchema = z
  .object({
    version: z.literal(1),
    name: z.string(),
    startedAt: z.string(),
    nodes: num,
    /** How the workload was driven ('@dynamis/workload', or the CLI's own loop). */
    driver: z.string(),
    host: z.object({ cpus: num, node: z.string(), platform: z.string() }).strict(),
    workload: z.record(z.string(), z.unknown()),
    staleness: z
      .object({ samples: num, delaysMs: z.array(num), concurrency: num, during: z.string() })
      .strict()
      .nullable(),
    configurations: z.array(configResultSchema),
  })
  .strict();

export type ExperimentResults = z.output<typeof resultsSchema>;
export type ConfigResult = ExperimentResults['configurations'][number];
export type PhaseFigures = ConfigResult['load'];
export type PercentileFigures = z.output<typeof percentilesSchema>;

/** Validates a results.json read back (for `--render`); INVALID_CONFIG naming every bad path. */
export function parseResults(input: unknown): ExperimentResults {
  return parseWithSchema(resultsSchema, input, 'experiment results');
}
