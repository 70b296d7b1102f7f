import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { ownCpuUs, processesCpuUs, processesSysCpuUs, processesWriteCalls } from './cpuMeter';
import { clock } from './env';
import { LatencyHistogram, type LatencySummary } from '@dynamis/workload';

/** What one case measured. */
export interface CaseResult {
  readonly opsPerSec: number;
  /** Operations completed in the measured window. */
  readonly ops: number;
  /** Operations that failed in the measured window (not counted in ops, no latency recorded). */
  readonly errors: number;
  readonly latency: LatencySummary;
  /** The message of the first failure, if any. */
  readonly firstError?: string;
  /**
   * CPU time per completed operation, µs, over the measured window: this driver process, and the `servers`
   * processes together (NaN if unreadable), and the kernel's part (stime) of the latter.
   */
  readonly cpu: { readonly driverUsPerOp: number; readonly serversUsPerOp: number; readonly serversSysUsPerOp: number };
  /** Write-type system calls (socket and file writes) of the `servers` processes together per completed operation (NaN if unreadable). */
  readonly serversWritesPerOp: number;
}

export interface DriveOptions {
  /** Operations in flight: this many closed loops, each issuing its next operation when the last one settled. */
  readonly inflight: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  /** Pids of the processes serving the case (nodes, echo peers, redis-server), whose CPU time is measured too. */
  readonly servers?: readonly number[];
}

/** Operations of one loop between two turns of the event loop it gives the timers (one setImmediate: negligible). */
const TURN_EVERY = 64;

/**
 * Runs `op` in `inflight` closed loops for a warm-up then `seconds` (wall
 * clock), and returns the rate and latency (HDR histogram) of the operations
 * that completed in the measured window. `op(seq)` gets a sequence number
 * unique within the case. A failed operation is counted in `errors`; after
 * it the loop yields to the event loop once, so that an operation failing
 * synchronously cannot starve the timers; after every TURN_EVERY of its
 * operations a loop yields once too, so that operations which settle in
 * microtasks cannot either. Resolves once every loop stopped.
 * Latency is closed-loop (a slow reply delays the next request of its loop:
 * no coordinated-omission correction).
 */
export async function drive(op: (seq: number) => Promise<unknown>, options: DriveOptions): Promise<CaseResult> {
  const histogram = new LatencyHistogram();
  let seq = 0;
  let measuring = false;
  let stopped = false;
  let ops = 0;
  let errors = 0;
  let firstError: string | undefined;
  const loop = async (): Promise<void> => {
    for (let own = 1; !stopped; own++) {
      // Ops that settle in microtasks (engine-memory called in process) would otherwise never let the timers that end the case run.
      if (own % TURN_EVERY === 0) await yieldToLoop();
      const t0 = performance.now();
      try {
        await op(seq++);
        if (measuring) {
          ops++;
          histogram.record((performance.now() - t0) * 1000);
        }
      } catch (err) {
        if (measuring) errors++;
        firstError ??= describeError(err);
        await yieldToLoop();
      }
    }
  };
  const loops = Array.from({ length: options.inflight }, loop);
  await sleep(options.warmupSeconds * 1000);
  const servers = options.servers ?? [];
  measuring = true;
  const start = performance.now();
  const [own0, servers0, sys0, writes0] = [ownCpuUs(), processesCpuUs(servers), processesSysCpuUs(servers), processesWriteCalls(servers)];
  await sleep(options.seconds * 1000);
  measuring = false;
  const cpu = {
    driverUsPerOp: (ownCpuUs() - own0) / ops,
    serversUsPerOp: (processesCpuUs(servers) - servers0) / ops,
    serversSysUsPerOp: (processesSysCpuUs(servers) - sys0) / ops,
  };
  const serversWritesPerOp = (processesWriteCalls(servers) - writes0) / ops;
  const elapsed = (performance.now() - start) / 1000;
  stopped = true;
  await Promise.all(loops);
  const latency = histogram.summary();
  histogram.destroy();
  return { opsPerSec: ops / elapsed, ops, errors, latency, cpu, serversWritesPerOp, ...(firstError !== undefined ? { firstError } : {}) };
}

/**
 * Issues `op(0)` … `op(count - 1)` with `inflight` in flight and resolves
 * with the rate once all completed; rejects with the first failure (the load
 * phase must not lose records).
 */
export async function runAll(
  count: number,
  inflight: number,
  op: (i: number) => Promise<unknown>,
): Promise<{ opsPerSec: number; seconds: number }> {
  let next = 0;
  const start = performance.now();
  const loop = async (): Promise<void> => {
    while (next < count) await op(next++);
  };
  await Promise.all(Array.from({ length: Math.min(inflight, count) }, loop));
  const seconds = (performance.now() - start) / 1000;
  return { opsPerSec: count / seconds, seconds };
}

/** Resolves after `ms` of wall-clock time. */
export function sleep(ms: number): Promise<void> {
  return clock.sleep(ms);
}

/** An error as the report quotes it: code, message and (cut to 600 characters) its details, which name each replica's reason. */
function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const { code, details } = err as { code?: string; details?: unknown };
  const text = `${code ?? err.name}: ${err.message}`;
  if (details === undefined) return text;
  const json = JSON.stringify(details);
  return `${text} ${json.length > 600 ? `${json.slice(0, 600)}…` : json}`;
}
