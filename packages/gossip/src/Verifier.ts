import type { Clock, Timer } from '@dynamis/core';

/** What a Verifier asks of its node. */
export interface VerifierHooks {
  /** Probes `id` directly; true once it answered as itself (the node then holds it verified). */
  verify(id: string): Promise<boolean>;
  /** `id` did not answer within timeoutMs of being tracked: forget it. */
  expire(id: string): void;
  /** Checks a third-party `left` claim about `id` (a probe of `id`), and acts on the outcome. */
  confirm(id: string): Promise<void>;
}

export interface VerifierLimits {
  /** How long a tracked member has to answer before it is expired. */
  readonly timeoutMs: number;
  /** Wait between two probes of one member that did not answer. */
  readonly retryMs: number;
  /** Most probes (verify and confirm together) in flight. */
  readonly concurrency: number;
}

interface Tracked {
  readonly expiry: Timer;
  retry: Timer | undefined;
  queued: boolean;
}

type Job = { readonly kind: 'verify' | 'confirm'; readonly id: string };

/**
 * The probes that prove a gossiped claim before this node acts on it (README
 * "Proof before placement"), at most `concurrency` in flight, in arrival
 * order (not the round-robin probe order, so a new member is probed at once):
 * - `track(id)`: a member learned from a third party. Probed now, then every
 *   retryMs while it has not answered; expired (hooks.expire) timeoutMs after
 *   it was first tracked unless `settle(id)` came first (it proved itself, or
 *   is no longer held). Tracking a tracked member changes nothing.
 * - `departure(id)`: a third-party `left` claim; one confirmation at a time
 *   per member (a claim arriving meanwhile is checked by that one).
 * State is one record per member (bounded by the view) and the queue holds
 * each job at most once. `stop()` cancels everything; results of probes in
 * flight at that time are ignored.
 */
export class Verifier {
  private readonly tracked = new Map<string, Tracked>();
  private readonly confirming = new Set<string>();
  private readonly ready: Job[] = [];
  private inFlight = 0;
  private epoch = 0;

  constructor(
    private readonly clock: Clock,
    private readonly limits: VerifierLimits,
    private readonly hooks: VerifierHooks,
  ) {}

  /** Members tracked and not yet settled or expired. */
  get pending(): number {
    return this.tracked.size;
  }

  track(id: string): void {
    if (this.tracked.has(id)) return;
    const expiry = this.clock.setTimer(this.limits.timeoutMs, () => {
      if (this.tracked.get(id) !== t) return;
      this.settle(id);
      this.hooks.expire(id);
    });
    const t: Tracked = { expiry, retry: undefined, queued: false };
    this.tracked.set(id, t);
    this.enqueue(id, t);
  }

  /** Stops tracking `id` (verified, or forgotten): no more probes, no expiry. */
  settle(id: string): void {
    const t = this.tracked.get(id);
    if (t === undefined) return;
    t.expiry.cancel();
    t.retry?.cancel();
    this.tracked.delete(id);
  }

  departure(id: string): void {
    if (this.confirming.has(id)) return;
    this.confirming.add(id);
    this.ready.push({ kind: 'confirm', id });
    this.pump();
  }

  /** Cancels every timer and forgets every job; probes in flight finish unheeded. */
  stop(): void {
    this.epoch++;
    for (const id of [...this.tracked.keys()]) this.settle(id);
    this.confirming.clear();
    this.ready.length = 0;
    this.inFlight = 0;
  }

  private enqueue(id: string, t: Tracked): void {
    if (t.queued) return;
    t.queued = true;
    this.ready.push({ kind: 'verify', id });
    this.pump();
  }

  private pump(): void {
    while (this.inFlight < this.limits.concurrency) {
      const job = this.ready.shift();
      if (job === undefined) return;
      if (job.kind === 'confirm') this.runConfirm(job.id);
      else this.runVerify(job.id);
    }
  }

  private runVerify(id: string): void {
    const t = this.tracked.get(id);
    if (t === undefined) return; // settled while queued
    t.queued = false;
    const epoch = this.epoch;
    this.inFlight++;
    void this.hooks.verify(id).then(
      (ok) => this.verified(epoch, id, t, ok),
      () => this.verified(epoch, id, t, false),
    );
  }

  private verified(epoch: number, id: string, t: Tracked, ok: boolean): void {
    if (epoch !== this.epoch) return;
    this.inFlight--;
    if (ok) this.settle(id);
    else if (this.tracked.get(id) === t) {
      t.retry = this.clock.setTimer(this.limits.retryMs, () => {
        t.retry = undefined;
        if (this.tracked.get(id) === t) this.enqueue(id, t);
      });
    }
    this.pump();
  }

  private runConfirm(id: string): void {
    const epoch = this.epoch;
    this.inFlight++;
    const done = (): void => {
      if (epoch !== this.epoch) return;
      this.inFlight--;
      this.confirming.delete(id);
      this.pump();
    };
    void this.hooks.confirm(id).then(done, done);
  }
}
