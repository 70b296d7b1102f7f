import type { BatchOp } from '@dynamis/core';

/** Applies ops as one atomic LevelDB batch; `sync` asks for fsync before resolving. */
export type ApplyBatch = (ops: readonly BatchOp[], sync: boolean) => Promise<void>;

interface Settle {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}
interface WriteJob extends Settle {
  readonly ops: readonly BatchOp[];
  readonly sync: boolean;
  readonly run?: undefined;
}
interface ExclusiveJob extends Settle {
  readonly run: () => Promise<void>;
}
type Job = WriteJob | ExclusiveJob;

/** Most ops merged into one group commit (a single write larger than this still goes alone). */
export const MAX_GROUP_OPS = 4096;

/**
 * Puts the engine's mutations in call order. LevelDB (through classic-level)
 * runs each batch on the libuv thread pool, so two batches in flight at once
 * may land in either order; the port wants call order. So one job runs at a
 * time, in the order enqueued: writes queued behind a running one are merged
 * into one atomic batch (a group commit, `sync` if any asked for it; if it
 * fails, every write in it rejects and none was applied), and exclusive jobs
 * (range delete, compaction filter) run alone with no write interleaving.
 *
 * Bound: the queue holds what callers have in flight; the node above bounds
 * its requests in flight (limits in @dynamis/core), and this queue adds none.
 */
export class WriteQueue {
  private readonly jobs: Job[] = [];
  private running = false;

  constructor(private readonly apply: ApplyBatch) {}

  /** Applies `ops` (the engine's copies) after every job enqueued before. */
  write(ops: readonly BatchOp[], sync: boolean): Promise<void> {
    return new Promise((resolve, reject) => this.push({ ops, sync, resolve, reject }));
  }

  /** Runs `run` alone, after every job enqueued before and before any enqueued later. */
  exclusive(run: () => Promise<void>): Promise<void> {
    return new Promise((resolve, reject) => this.push({ run, resolve, reject }));
  }

  private push(job: Job): void {
    this.jobs.push(job);
    if (!this.running) void this.pump();
  }

  private async pump(): Promise<void> {
    this.running = true;
    while (this.jobs.length > 0) {
      const first = this.jobs[0]!;
      if (first.run !== undefined) {
        this.jobs.shift();
        await first.run().then(first.resolve, first.reject);
        continue;
      }
      const group = this.takeWrites();
      const ops = group.length === 1 ? group[0]!.ops : group.flatMap((j) => j.ops);
      const sync = group.some((j) => j.sync);
      try {
        await this.apply(ops, sync);
        for (const j of group) j.resolve();
      } catch (err) {
        for (const j of group) j.reject(err);
      }
    }
    this.running = false;
  }

  /** The leading run of write jobs, up to MAX_GROUP_OPS ops (at least one job). */
  private takeWrites(): WriteJob[] {
    const group: WriteJob[] = [];
    let count = 0;
    while (this.jobs.length > 0) {
      const next = this.jobs[0]!;
      if (next.run !== undefined) break;
      if (group.length > 0 && count + next.ops.length > MAX_GROUP_OPS) break;
      group.push(next as WriteJob);
      count += next.ops.length;
      this.jobs.shift();
    }
    return group;
  }
}
