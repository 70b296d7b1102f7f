import type { HistoryOp } from '../history';

/** One violation a checker found: on which key, why, and the operations that show it. */
export interface Anomaly {
  readonly kind: string;
  readonly key: string;
  readonly message: string;
  readonly ops: readonly HistoryOp[];
}

/**
 * A checker's verdict. `valid` is true iff no anomaly was found; `counts`
 * says what was checked (e.g. acknowledged writes, keys); `anomalies` holds
 * at most MAX_ANOMALIES (counts.anomalies has the full number).
 */
export interface CheckResult {
  readonly checker: string;
  readonly valid: boolean;
  readonly counts: Readonly<Record<string, number>>;
  readonly anomalies: readonly Anomaly[];
}

/** Most anomalies a result lists (the rest are counted). */
export const MAX_ANOMALIES = 50;

/** Collects anomalies up to MAX_ANOMALIES and counts them all. */
export class Verdict {
  private readonly listed: Anomaly[] = [];
  private total = 0;
  readonly counts: Record<string, number> = {};

  constructor(private readonly checker: string) {}

  flag(anomaly: Anomaly): void {
    this.total++;
    if (this.listed.length < MAX_ANOMALIES) this.listed.push(anomaly);
  }

  count(name: string, by = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + by;
  }

  result(): CheckResult {
    return { checker: this.checker, valid: this.total === 0, counts: { ...this.counts, anomalies: this.total }, anomalies: this.listed };
  }
}

/** The keys the anomalies of `results` name (for the minimal history). */
export function flaggedKeys(results: readonly CheckResult[]): Set<string> {
  return new Set(results.flatMap((r) => r.anomalies.map((a) => a.key)));
}
