import { DynamisError, type Clock, type Logger } from '@dynamis/core';
import { join } from 'node:path';
import { Worker, type WorkerOptions } from 'node:worker_threads';
import { CompactionAborted, type CompactionResult, type FilterWatch } from '../compaction/runCompaction';
import { Signal } from '../db/Signal';
import { errorFromData, resultFromData, type CompactMessage, type FromWorker, type ToWorker } from './protocol';

/** How long stop() lets running jobs wind down (they stop at their next checkpoint) before terminating the thread. */
const STOP_GRACE_MS = 2000;

/** A job failed because the worker thread could not start: run it on the engine's thread instead. */
export class WorkerUnavailable extends Error {}

/** The portable compaction filter could not be built in the worker: run the job on the engine's thread instead. */
export class FilterUnavailable extends Error {}

interface Job {
  readonly watch: FilterWatch;
  resolve(result: CompactionResult): void;
  reject(err: unknown): void;
}

/** What the worker needs from the engine. */
export interface BackgroundWorkerHooks {
  /** A fresh file number from the VersionSet (compactions ask while they run). */
  newFileNumber(): number;
  readonly clock: Clock;
  readonly logger: Logger | undefined;
  /** The thread's entry file and options (default: workerMain, see workerEntry); tests point it elsewhere. */
  readonly entry?: WorkerEntry;
}

/** What `new Worker(filename, options)` gets. */
export interface WorkerEntry {
  readonly filename: string;
  readonly options: WorkerOptions;
}

/**
 * The engine's side of its background worker thread (workerMain): one
 * thread per open engine, started on the first job, ended by stop(). A job
 * (a compaction's merge) is sent with everything it needs and settles with
 * the same result and errors as runCompaction inline (DynamisError code,
 * message and details kept), plus:
 * - a compaction whose filter threw sets `watch.threw` before rejecting;
 * - WorkerUnavailable when the thread could not start, FilterUnavailable
 *   when it could not build the portable filter (the caller runs the job
 *   inline);
 * - IO_ERROR when the thread died during the job;
 * - CompactionAborted after stop().
 * The thread keeps the process alive only while a job is outstanding.
 */
export class BackgroundWorker {
  private worker: Worker | undefined = undefined;
  private ready = false;
  private lastError: Error | undefined = undefined;
  /** Why the thread could not start (it is not started again). */
  private startFailure: WorkerUnavailable | undefined = undefined;
  private stopped = false;
  private nextId = 1;
  private readonly jobs = new Map<number, Job>();
  private readonly settled = new Signal();
  private onStopped: (() => void) | undefined = undefined;

  constructor(private readonly hooks: BackgroundWorkerHooks) {}

  /**
   * Runs a merge on the thread (see runCompaction; `numbers`: at least one
   * reserved output number). Sets `watch.threw` when the filter threw.
   */
  compact(request: Omit<CompactMessage, 'type' | 'id'>, watch: FilterWatch): Promise<CompactionResult> {
    if (this.stopped) return Promise.reject(new CompactionAborted());
    if (this.startFailure !== undefined) return Promise.reject(this.startFailure);
    const w = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.jobs.set(id, { watch, resolve, reject });
      w.ref();
      try {
        w.postMessage({ type: 'compact', id, ...request } satisfies ToWorker);
      } catch (err) {
        // Not cloneable: in practice the portable filter's args.
        this.finish(id);
        reject(new FilterUnavailable(`could not send the compaction to the background worker: ${(err as Error).message}`, { cause: err }));
      }
    });
  }

  /**
   * Has the thread delete `path` (true: sent; a failure is logged), or
   * false when the thread is not up (the caller deletes it).
   */
  remove(path: string): boolean {
    const w = this.worker;
    if (w === undefined || !this.ready || this.stopped) return false;
    this.post(w, { type: 'remove', path });
    return true;
  }

  /**
   * Stops the thread: running jobs are told to stop (they reject with
   * CompactionAborted; their partial outputs are removed, or left as
   * orphans that the next open removes), deletions already sent are done,
   * then the thread is terminated, after at most STOP_GRACE_MS. Later jobs
   * reject with CompactionAborted.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    const w = this.worker;
    if (w === undefined) return;
    if (this.ready || this.jobs.size > 0) {
      const acked = new Promise<void>((resolve) => (this.onStopped = resolve));
      w.ref(); // the answer must keep the process alive (the grace timer does not)
      this.post(w, { type: 'stop' });
      await Promise.race([Promise.all([acked, this.idle()]), this.hooks.clock.sleep(STOP_GRACE_MS)]);
    }
    await w.terminate();
  }

  private start(): Worker {
    const { filename, options } = this.hooks.entry ?? workerEntry();
    const w = new Worker(filename, options);
    this.worker = w;
    this.ready = false;
    this.lastError = undefined;
    w.on('message', (m: FromWorker) => this.onMessage(w, m));
    w.on('error', (err: Error) => (this.lastError = err));
    w.on('messageerror', (err: Error) => (this.lastError = err));
    w.on('exit', (code: number) => this.onExit(w, code));
    w.unref();
    return w;
  }

  private onMessage(w: Worker, m: FromWorker): void {
    if (m.type === 'ready') {
      this.ready = true;
      return;
    }
    if (m.type === 'stopped') {
      this.onStopped?.();
      return;
    }
    if (m.type === 'removeFailed') {
      this.hooks.logger?.warn('engine-lsm could not remove an obsolete file (the next open will)', {
        path: m.path,
        error: m.error.message,
      });
      return;
    }
    const job = this.jobs.get(m.id);
    if (job === undefined) return;
    if (m.type === 'needNumbers') {
      const numbers = Array.from({ length: m.count }, () => this.hooks.newFileNumber());
      this.post(w, { type: 'numbers', id: m.id, numbers });
      return;
    }
    this.finish(m.id);
    if (m.type === 'done') return job.resolve(resultFromData(m.result));
    const error = errorFromData(m.error);
    if (m.kind === 'aborted') return job.reject(new CompactionAborted());
    if (m.kind === 'filter-load') return job.reject(new FilterUnavailable(error.message, { cause: error }));
    if (m.kind === 'filter') job.watch.threw = true;
    job.reject(error);
  }

  private onExit(w: Worker, code: number): void {
    if (this.worker !== w) return;
    this.worker = undefined;
    const reason = this.lastError;
    if (!this.ready && !this.stopped) {
      this.startFailure = new WorkerUnavailable(`engine-lsm background worker failed to start: ${reason?.message ?? `exit code ${code}`}`);
    }
    for (const [id, job] of [...this.jobs]) {
      this.finish(id);
      if (this.stopped) job.reject(new CompactionAborted());
      else if (this.startFailure !== undefined) job.reject(this.startFailure);
      else {
        job.reject(
          new DynamisError('IO_ERROR', `engine-lsm background worker thread exited (code ${code}) during a compaction`, {
            cause: reason,
            details: { thread: 'background worker', exitCode: code, reason: reason?.message },
          }),
        );
      }
    }
    if (!this.stopped) this.hooks.logger?.error('engine-lsm background worker exited', { exitCode: code, error: reason?.message });
  }

  private finish(id: number): void {
    this.jobs.delete(id);
    if (this.jobs.size === 0) {
      if (!this.stopped) this.worker?.unref(); // stop() keeps it referenced until it ends
      this.settled.notify();
    }
  }

  private async idle(): Promise<void> {
    while (this.jobs.size > 0) await this.settled.wait();
  }

  private post(w: Worker, message: ToWorker): void {
    w.postMessage(message);
  }
}

/**
 * The worker's entry file and options. Built, that is dist/worker/
 * workerMain.js, run as is. In the source tree only (tests run src/*.ts
 * through @swc/jest or @swc-node/register), this file is TypeScript and so
 * is the entry: it runs through @swc-node/register, with SWC_NODE_PROJECT
 * (by default the repository's tsconfig.check.json) mapping @dynamis/* to
 * the packages' sources, like the thread that started it.
 */
function workerEntry(): WorkerEntry {
  if (!__filename.endsWith('.ts')) return { filename: join(__dirname, 'workerMain.js'), options: {} };
  const project = process.env.SWC_NODE_PROJECT ?? join(__dirname, '../../../../tsconfig.check.json');
  return {
    filename: join(__dirname, 'workerMain.ts'),
    options: { execArgv: ['-r', '@swc-node/register'], env: { ...process.env, SWC_NODE_PROJECT: project } },
  };
}
