/** The store operations the meter counts. */
export const OP_KINDS = ['put', 'get', 'delete', 'batch'] as const;
export type OpKind = (typeof OP_KINDS)[number];

/** Buckets per power of two of the latency histogram (so a bucket spans ×2^(1/4) ≈ 19 %). */
const PER_OCTAVE = 4;
/** The smallest latency told apart, in ms (1 µs); anything below lands in bucket 0. */
const MIN_MS = 0.001;
/** Buckets: 1 µs × 2^(BUCKETS/PER_OCTAVE) ≈ 4.4 × 10^6 ms (73 min) tops the range; longer lands in the last one. */
const BUCKETS = 32 * PER_OCTAVE;

/** What the meter saw over one window (see OpMeter.take). */
export interface OpWindow {
  /** Length of the window, ms. */
  readonly ms: number;
  /** Operations completed per second over the window, by kind and in total (errors included). */
  readonly opsPerSec: Readonly<Record<OpKind, number>>;
  readonly totalPerSec: number;
  /** Operations that failed (rejected) in the window. */
  readonly errors: number;
  /** Latency percentiles of the window's operations, ms (upper bound of the histogram bucket, ≤ 19 % above); 0 without operations. */
  readonly p50Ms: number;
  readonly p99Ms: number;
}

function bucketOf(ms: number): number {
  if (!(ms > MIN_MS)) return 0;
  return Math.min(BUCKETS - 1, Math.ceil(Math.log2(ms / MIN_MS) * PER_OCTAVE));
}

function upperBound(bucket: number): number {
  return MIN_MS * 2 ** (bucket / PER_OCTAVE);
}

/**
 * Counts completed store operations and their latencies between two take()
 * calls, in constant memory: counters per kind and a fixed log-scale
 * histogram (BUCKETS slots), whatever the load. Pure bookkeeping: the caller
 * measures the latency and the window's length. Not thread-shared state:
 * one meter per node.
 */
export class OpMeter {
  private readonly counts: Record<OpKind, number> = { put: 0, get: 0, delete: 0, batch: 0 };
  private readonly histogram = new Float64Array(BUCKETS);
  private errors = 0;
  private total = 0;
  /** Operations since the meter was made (never reset). */
  private lifetime = 0;

  /** Records one completed operation of `kind` that took `ms` (a negative or NaN latency counts as 0). */
  record(kind: OpKind, ms: number, ok: boolean): void {
    this.counts[kind]++;
    this.total++;
    this.lifetime++;
    if (!ok) this.errors++;
    this.histogram[bucketOf(ms)]!++;
  }

  /** Operations recorded since the meter was made. */
  get recorded(): number {
    return this.lifetime;
  }

  /** The window since the previous take() (whose length the caller gives, ms > 0), then starts a new one. */
  take(windowMs: number): OpWindow {
    const seconds = Math.max(windowMs, 1) / 1000;
    const opsPerSec = { put: 0, get: 0, delete: 0, batch: 0 };
    for (const k of OP_KINDS) opsPerSec[k] = this.counts[k] / seconds;
    const window: OpWindow = {
      ms: windowMs,
      opsPerSec,
      totalPerSec: this.total / seconds,
      errors: this.errors,
      p50Ms: this.percentile(0.5),
      p99Ms: this.percentile(0.99),
    };
    for (const k of OP_KINDS) this.counts[k] = 0;
    this.histogram.fill(0);
    this.errors = 0;
    this.total = 0;
    return window;
  }

  private percentile(q: number): number {
    if (this.total === 0) return 0;
    const rank = Math.ceil(q * this.total);
    let seen = 0;
    for (let b = 0; b < BUCKETS; b++) {
      seen += this.histogram[b]!;
      if (seen >= rank) return upperBound(b);
    }
    return upperBound(BUCKETS - 1);
  }
}
