import {
  isDynamisError,
  type Clock,
  type Hint,
  type Lifecycle,
  type Limits,
  type Logger,
  type Membership,
  type NodeId,
  type ReplicaClient,
  type Timer,
  type Unsubscribe,
} from '@dynamis/core';
import type { EngineHintStore } from './EngineHintStore';
import type { HintDeliveryOptions } from './options';

/** What HintDelivery has done since it was created. */
export interface HintDeliveryStats {
  /** Hints the targets acknowledged (then deleted here). */
  readonly delivered: number;
  /** replica.writeBatch calls acknowledged. */
  readonly batches: number;
  /** Hint bytes sent (acknowledged or not). */
  readonly bytesSent: number;
  /** Batches that failed (target unreachable, timeout): retried at the next up event or check. */
  readonly failures: number;
  /** Hints the target refused as invalid (INVALID_ARGUMENT, INVALID_KEY): deleted undelivered. */
  readonly refused: number;
  /** Targets being delivered to right now. */
  readonly active: readonly NodeId[];
}

/** Errors by which a target says "this hint is bad", not "try later". */
const REFUSALS = new Set(['INVALID_ARGUMENT', 'INVALID_KEY', 'VALUE_TOO_LARGE']);

/**
 * Sends the HintStore's hints to their targets through the replica protocol
 * (ReplicaClient.writeBatch: the target merges the siblings through its
 * resolver, after checking them like any write from a peer).
 *
 * - Delivery to a target starts when Membership fires `up` for it, and at
 *   every `checkIntervalMs` check for each target with hints that
 *   `membership.isAlive` says is alive (the check also expires hints past the
 *   window, for every target). One delivery loop per target at a time.
 * - A loop sends the target's oldest hints in batches (at most `batchSize`,
 *   `limits.maxBatchOps` and `maxBatchBytes`, a single larger hint alone), one
 *   batch at a time, and deletes a batch's hints only after the target
 *   acknowledged the batch. It stops when the target has no hints left, is
 *   no longer alive (checked before every batch), a batch fails (TIMEOUT,
 *   UNAVAILABLE, ...: retried at the next up event or check), or on stop().
 *   A batch the target refuses as invalid is retried hint by hint; a hint
 *   refused alone is deleted and counted (`droppedBy.refused`), so one bad
 *   hint cannot block the others.
 * - Throttle: one token bucket of `maxBytesPerSecond` for all targets, on the
 *   Clock: after a batch of b bytes the next may start b/rate seconds later.
 * - Hints are durable, so a restarted node resumes: its store rebuilds the
 *   index at start and the first check (or up event) delivers them.
 * - At-least-once: a target that applied a batch whose acknowledgement was
 *   lost gets it again, which merging makes harmless.
 */
export class HintDelivery implements Lifecycle {
  private running = false;
  private timer: Timer | undefined;
  private unsubscribe: Unsubscribe | undefined;
  private readonly loops = new Map<NodeId, Promise<void>>();
  private readonly waits = new Set<{ timer: Timer; resolve: () => void }>();
  /** Clock.monotonic() from which the next batch may be sent. */
  private nextSendAt = 0;
  private counters = { delivered: 0, batches: 0, bytesSent: 0, failures: 0, refused: 0 };

  constructor(
    private readonly store: EngineHintStore,
    private readonly membership: Membership,
    private readonly replicas: ReplicaClient,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: HintDeliveryOptions,
    private readonly limits: Limits,
  ) {}

  /** Subscribes to `up`, arms the periodic check and runs one check now. Idempotent. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.unsubscribe = this.membership.on('up', (m) => this.kick(m.id));
    this.check();
  }

  /** Stops every loop (a batch in flight finishes or fails first), cancels timers. Idempotent. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.unsubscribe?.();
    this.timer?.cancel();
    for (const w of this.waits) {
      w.timer.cancel();
      w.resolve();
    }
    this.waits.clear();
    await Promise.allSettled([...this.loops.values()]);
  }

  stats(): HintDeliveryStats {
    return { ...this.counters, active: [...this.loops.keys()] };
  }

  /** Starts delivery to `target` unless a loop for it runs, or it has no hints, or delivery is stopped. */
  kick(target: NodeId): void {
    if (!this.running || this.loops.has(target) || !this.store.pendingTargets().includes(target)) return;
    const loop = this.drain(target)
      .catch((err: unknown) => {
        this.counters.failures++;
        this.logger.warn('hint delivery paused', { target, error: String(err) });
      })
      .finally(() => this.loops.delete(target));
    this.loops.set(target, loop);
  }

  private check(): void {
    if (!this.running) return;
    this.store
      .expire()
      .catch((err: unknown) => this.logger.error('expiring hints failed', { error: String(err) }))
      .finally(() => {
        for (const target of this.store.pendingTargets()) if (this.membership.isAlive(target)) this.kick(target);
      });
    this.timer = this.clock.setTimer(this.options.checkIntervalMs, () => this.check());
  }

  private async drain(target: NodeId): Promise<void> {
    const size = Math.min(this.options.batchSize, this.limits.maxBatchOps);
    while (this.running) {
      const batch = fitBytes(await this.store.pending(target, size), this.options.maxBatchBytes);
      if (batch.length === 0) return;
      await this.throttle(batch.reduce((n, h) => n + hintBytes(h), 0));
      if (!this.running || !this.membership.isAlive(target)) return;
      await this.send(target, batch);
    }
  }

  /** Sends one batch; on a refusal retries its hints one by one. */
  private async send(target: NodeId, batch: readonly Hint[]): Promise<void> {
    this.counters.bytesSent += batch.reduce((n, h) => n + hintBytes(h), 0);
    try {
      await this.replicas.writeBatch(target, batch);
    } catch (err) {
      if (!isRefusal(err) || batch.length === 1) {
        if (isRefusal(err)) return this.refuse(target, batch[0]!, err);
        throw err;
      }
      for (const hint of batch) await this.send(target, [hint]);
      return;
    }
    await this.store.acknowledge(
      target,
      batch.map((h) => h.id),
    );
    this.counters.delivered += batch.length;
    this.counters.batches++;
  }

  private async refuse(target: NodeId, hint: Hint, err: unknown): Promise<void> {
    await this.store.discard(target, [hint.id]);
    this.counters.refused++;
    this.logger.warn('hint refused by its target; dropped', { target, key: hint.key, error: String(err) });
  }

  private async throttle(bytes: number): Promise<void> {
    const now = this.clock.monotonic();
    const start = Math.max(now, this.nextSendAt);
    this.nextSendAt = start + (bytes * 1000) / this.options.maxBytesPerSecond;
    if (start > now) await this.wait(start - now);
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const w = {
        resolve,
        timer: this.clock.setTimer(ms, () => {
          this.waits.delete(w);
          resolve();
        }),
      };
      this.waits.add(w);
    });
  }
}

function isRefusal(err: unknown): boolean {
  return isDynamisError(err) && REFUSALS.has(err.code);
}

/** Approximate wire bytes of one hint: key and sibling contents. */
export function hintBytes(hint: Hint): number {
  let n = Buffer.byteLength(hint.key, 'utf8');
  for (const s of hint.siblings) n += s.version.length + (s.value?.length ?? 0) + 24;
  return n;
}

/** The longest prefix of `hints` within `maxBytes` (at least one hint). */
export function fitBytes(hints: readonly Hint[], maxBytes: number): Hint[] {
  let total = 0;
  let i = 0;
  for (; i < hints.length; i++) {
    total += hintBytes(hints[i]!);
    if (total > maxBytes && i > 0) break;
  }
  return hints.slice(0, i);
}
