import { DynamisError, isDynamisError, type ErrorCode } from '@dynamis/core';
import { LatencyHistogram } from './LatencyHistogram';
import { OPERATION_TYPES, type OperationType, type PhaseResult } from './types';

type Series = 'all' | OperationType;
const SERIES: readonly Series[] = ['all', ...OPERATION_TYPES];

/**
 * Collects one phase's outcomes: a latency histogram per operation type and
 * one for all, failures by code, misses and scanned records. Memory is fixed
 * (one HDR histogram per series), whatever the operation count.
 */
export class PhaseRecorder {
  private readonly histograms = new Map<Series, LatencyHistogram>(SERIES.map((s) => [s, new LatencyHistogram()]));
  private readonly errorsByCode: Record<string, number> = {};
  private settled = 0;
  private errors = 0;
  private notFound = 0;
  private scannedRecords = 0;
  private firstError: string | undefined;
  private firstCode: ErrorCode | undefined;

  /** A successful operation of `type` that took `us` microseconds. */
  succeeded(type: OperationType, us: number): void {
    this.settled++;
    this.histograms.get(type)!.record(us);
    this.histograms.get('all')!.record(us);
  }

  /** A failed operation: counted under its DynamisError code, or `UNEXPECTED`. */
  failed(err: unknown): void {
    this.settled++;
    this.errors++;
    const code = isDynamisError(err) ? err.code : 'UNEXPECTED';
    this.errorsByCode[code] = (this.errorsByCode[code] ?? 0) + 1;
    if (this.firstError === undefined) {
      this.firstError = `${code}: ${err instanceof Error ? err.message : String(err)}`;
      this.firstCode = isDynamisError(err) ? err.code : 'UNAVAILABLE';
    }
  }

  missed(): void {
    this.notFound++;
  }

  scanned(records: number): void {
    this.scannedRecords += records;
  }

  /** Operations settled so far. */
  get done(): number {
    return this.settled;
  }

  /**
   * The phase's result over `seconds` of wall clock. Throws a DynamisError
   * (the first failure's code, or UNAVAILABLE) when every operation failed:
   * there is nothing to report then but the failure.
   */
  result(seconds: number, seed: number, what: string): PhaseResult {
    if (this.settled > 0 && this.errors === this.settled) {
      throw new DynamisError(
        this.firstCode ?? 'UNAVAILABLE',
        `every one of the ${this.settled} operations of ${what} failed; the first: ${this.firstError ?? '?'}`,
        { details: { errorsByCode: { ...this.errorsByCode } } },
      );
    }
    const latencyMs = Object.fromEntries(
      SERIES.map((s) => {
        const h = this.histograms.get(s)!;
        return [s, h.count > 0 ? h.summary() : undefined];
      }),
    ) as PhaseResult['latencyMs'];
    for (const h of this.histograms.values()) h.destroy();
    return {
      operations: this.settled,
      errors: this.errors,
      seconds,
      opsPerSec: seconds > 0 ? (this.settled - this.errors) / seconds : 0,
      latencyMs,
      errorsByCode: { ...this.errorsByCode },
      notFound: this.notFound,
      scannedRecords: this.scannedRecords,
      seed,
      ...(this.firstError !== undefined ? { firstError: this.firstError } : {}),
    };
  }
}
