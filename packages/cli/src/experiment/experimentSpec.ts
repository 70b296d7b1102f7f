import { DynamisError, parseWithSchema } from '@dynamis/core';
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** The workload: the shape of @dynamis/workload's WorkloadSpec (YCSB A–F), with bounds. */
const workloadSchema = z
  .object({
    workload: z
      .enum(['A', 'B', 'C', 'D', 'E', 'F'])
      .describe('YCSB core workload (E: each scan reads one page of a cluster-wide walk, see `dynamis bench`).'),
    records: int(1, 10_000_000).describe('Records inserted by the load phase.'),
    operations: int(0, 100_000_000).describe('Operations of the run phase.'),
    concurrency: int(1, 1024).describe('Operations in flight.'),
    valueBytes: int(1, 1024 * 1024).describe('Bytes of each value.'),
    distribution: z.enum(['zipfian', 'uniform', 'latest']).optional().describe("Request distribution (the workload's default)."),
    seed: int(0, 2 ** 31 - 1)
      .optional()
      .describe('Seed of the key and operation choices.'),
  })
  .strict();

/** The PBS t-visibility probe (Bailis et al., VLDB 2012). */
const stalenessSchema = z
  .object({
    samples: int(1, 100_000).describe('Trials per delay.'),
    delaysMs: z.array(int(0, 60_000)).min(1).max(32).describe('Delays t between a write acknowledged and the read that probes it.'),
    concurrency: int(1, 64).default(1).describe('Trials in flight at once (1: one at a time, the cleanest figure).'),
    during: z
      .enum(['idle', 'run'])
      .default('idle')
      .describe('When the probe runs: after the run phase on the idle cluster, or alongside the run phase (replicas lag under load).'),
  })
  .strict();

const LSM_ONLY = ['compaction', 'fsync', 'memtableBytes'] as const;

/** One configuration: what the nodes of its fresh cluster are started with. */
const configurationSchema = z
  .object({
    name: z.string().min(1).max(64).describe('Label in the reports; unique.'),
    resolver: z.enum(['lww', 'vclock']).default('vclock').describe('Conflict resolver.'),
    n: int(1, 16).optional().describe('Replication factor N (default min(3, nodes)).'),
    w: int(1, 16).optional().describe('Write quorum W (default a majority of N).'),
    r: int(1, 16).optional().describe('Read quorum R (default a majority of N).'),
    engine: z.enum(['lsm', 'memory']).default('lsm').describe('Storage engine.'),
    writes: z
      .enum(['blind', 'with-context'])
      .default('blind')
      .describe(
        "How the experiment's clients write (a client setting, not a node's): 'blind' (no causal context, as YCSB does; under vclock each one adds a sibling) or 'with-context' (get the key, then write with that read's context, as a vclock application does; the get is inside the write's latency).",
      ),
    compaction: z.enum(['leveled', 'tiered']).optional().describe('engine-lsm compaction.strategy (lsm only).'),
    fsync: z.enum(['always', 'interval', 'none']).optional().describe('engine-lsm WAL fsync policy (lsm only).'),
    memtableBytes: int(4096, 1024 * 1024 * 1024)
      .optional()
      .describe('engine-lsm memtable size (lsm only; small values make flushes and compactions happen on small workloads).'),
    partitions: int(1, 65_536)
      .refine((q) => (q & (q - 1)) === 0, 'must be a power of two')
      .optional()
      .describe('Ring partition count Q.'),
  })
  .strict();

/** An experiment file (README "dynamis experiment"): one workload, several configurations. */
export const experimentSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, '1–64 characters of [A-Za-z0-9._-] (it names the output directory)')
      .describe('Experiment name.'),
    nodes: int(1, 16).default(3).describe('Nodes of each configuration’s cluster.'),
    workload: workloadSchema,
    staleness: stalenessSchema.optional().describe('The staleness probe; absent: not measured.'),
    configurations: z.array(configurationSchema).min(1).max(16).describe('The configurations, run in this order.'),
  })
  .strict()
  .superRefine((spec, ctx) => {
    const seen = new Set<string>();
    spec.configurations.forEach((c, i) => {
      const at = (key: string, message: string) => ctx.addIssue({ code: 'custom', path: ['configurations', i, key], message });
      if (seen.has(c.name)) at('name', `duplicate configuration name '${c.name}'`);
      seen.add(c.name);
      const n = c.n ?? Math.min(3, spec.nodes);
      if (n > spec.nodes) at('n', `N=${n} exceeds nodes=${spec.nodes}`);
      if (c.w !== undefined && c.w > n) at('w', `W=${c.w} exceeds N=${n}`);
      if (c.r !== undefined && c.r > n) at('r', `R=${c.r} exceeds N=${n}`);
      if (c.engine !== 'lsm')
        for (const key of LSM_ONLY) if (c[key] !== undefined) at(key, `read only by engine 'lsm' (engine is '${c.engine}')`);
    });
    if (spec.staleness !== undefined && spec.nodes < 2)
      ctx.addIssue({
        code: 'custom',
        path: ['staleness'],
        message: 'needs at least 2 nodes (the write and the read go through different coordinators)',
      });
  });

/** An experiment as written. */
export type ExperimentInput = z.input<typeof experimentSchema>;
/** A validated experiment with defaults filled in. */
export type Experiment = z.output<typeof experimentSchema>;
/** One validated configuration. */
export type Configuration = Experiment['configurations'][number];

/** Validates `input`; throws INVALID_CONFIG listing every bad key path (`configurations.1.w: ...`), unknown keys included. */
export function parseExperiment(input: unknown): Experiment {
  return parseWithSchema(experimentSchema, input, 'experiment');
}

/** Reads and validates the experiment file `file`; INVALID_CONFIG naming the file when unreadable or not JSON. */
export function readExperimentFile(file: string): Experiment {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DynamisError('INVALID_CONFIG', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new DynamisError('INVALID_CONFIG', `${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  try {
    return parseExperiment(json);
  } catch (err) {
    throw new DynamisError('INVALID_CONFIG', `${file}: ${(err as Error).message}`, { cause: err, details: (err as DynamisError).details });
  }
}

/** N, W and R of `c` in a cluster of `nodes`: the defaults filled in (N = min(3, nodes), W = R = a majority of N). */
export function replicationOf(c: Configuration, nodes: number): { n: number; w: number; r: number } {
  const n = c.n ?? Math.min(3, nodes);
  const majority = Math.floor(n / 2) + 1;
  return { n, w: c.w ?? majority, r: c.r ?? majority };
}
