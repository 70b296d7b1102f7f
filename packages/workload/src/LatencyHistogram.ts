import type { build as Build, Histogram } from 'hdr-histogram-js';

/** hdr-histogram-js, loaded with the first histogram: the CLI loads this package for every command, and only bench needs it. */
function build(...args: Parameters<typeof Build>): Histogram {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred load, see above
  return (require('hdr-histogram-js') as { build: typeof Build }).build(...args);
}
import type { Percentiles } from './types';

/** The percentiles every latency report shows, in milliseconds (a subset of Percentiles). */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

/** Largest latency recorded exactly: one hour, in microseconds; longer ones are clamped to it. */
const HIGHEST_US = 3_600_000_000;

/**
 * An HDR histogram (hdr-histogram-js, 3 significant digits) of latencies
 * recorded in microseconds. Values are clamped to [1 µs, 1 h]. Not safe to
 * share between concurrent cases; call destroy() when done (frees nothing in
 * the pure-JS histogram, but keeps the contract of the WebAssembly one).
 */
export class LatencyHistogram {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_US,
    numberOfSignificantValueDigits: 3,
    autoResize: false,
  });

  /** Records one latency of `us` microseconds (fractions are rounded). */
  record(us: number): void {
    this.histogram.recordValue(Math.min(HIGHEST_US, Math.max(1, Math.round(us))));
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  /** p50/p95/p99/p99.9/max/mean in ms (NaN when nothing was recorded), within the histogram's 0.1% precision; each percentile ≤ max. */
  summary(): Percentiles {
    const h = this.histogram;
    if (h.totalCount === 0) return { count: 0, p50: NaN, p95: NaN, p99: NaN, p999: NaN, max: NaN, mean: NaN };
    // getValueAtPercentile answers the top of the value's bucket, which can pass the exact max: clamp, so p ≤ max always.
    const ms = (p: number): number => Math.min(h.getValueAtPercentile(p), h.maxValue) / 1000;
    return { count: h.totalCount, p50: ms(50), p95: ms(95), p99: ms(99), p999: ms(99.9), max: h.maxValue / 1000, mean: h.mean / 1000 };
  }

  destroy(): void {
    this.histogram.destroy();
  }
}
