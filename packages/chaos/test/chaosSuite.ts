import { seedFromEnv } from '@dynamis/testkit';
import { describeFailure, formatSummary, runChaos, summarize, type ChaosOptions, type SummaryRow } from '../src';

/** One configuration of a suite: every option but the seed, and how many seeds from which base. */
export interface SuiteConfig {
  readonly label: string;
  readonly options: Omit<ChaosOptions, 'seed'>;
  readonly seeds: number;
  readonly base: number;
}

/**
 * The seeds a configuration runs: `seeds` from `base`, or, with
 * DYNAMIS_SEED set, that one seed only (a replay); CHAOS_NEMESIS (a name)
 * keeps only the configurations with that nemesis.
 */
function seedsOf(config: SuiteConfig): number[] {
  const only = process.env['CHAOS_NEMESIS'];
  if (only !== undefined && only !== '' && only !== config.options.nemesis) return [];
  if (process.env['DYNAMIS_SEED']) return [seedFromEnv(0)];
  return Array.from({ length: config.seeds }, (_, i) => config.base + i);
}

/**
 * A describe block running every seed of every configuration as its own
 * test (so a failure names its seed and prints its replay command, checker
 * anomalies and minimal history), then printing one summary table for the
 * file.
 */
export function chaosSuite(title: string, configs: readonly SuiteConfig[]): void {
  const rows = new Map<string, SummaryRow>();
  describe(title, () => {
    afterAll(() => {
      if (rows.size > 0) console.log(formatSummary(`chaos summary: ${title}`, rows.values()));
    });
    for (const config of configs) {
      const seeds = seedsOf(config);
      if (seeds.length === 0) continue;
      it.each(seeds)(`${config.label}, seed %i: every checker passes`, async (seed) => {
        const report = await runChaos({ ...config.options, seed });
        summarize(rows, config.label, report);
        if (!report.valid) throw new Error(describeFailure(report, config.options));
        expect(report.checks.length).toBeGreaterThanOrEqual(3);
        expect(report.outcomes.ok).toBeGreaterThan(0);
      });
    }
  });
}
