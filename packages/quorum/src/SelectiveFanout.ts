import { DynamisError, type NodeId } from '@dynamis/core';
import { missingReason, notAskedReason, quorumNotReached, type Fanout, type FanoutOutcome, type Missing } from './fanout';
import type { Speculative, SpeculationScheduler } from './SpeculationSweep';

/** How many replicas a SelectiveFanout asked beyond the first `required`, and why. */
export interface ExtraAsks {
  /** Asked because a replica asked before had not answered within the speculative delay. */
  speculative: number;
  /** Asked because a replica asked before failed (error, timeout). */
  failover: number;
}

/**
 * A fanout (see fanout.ts for the outcome's contract) that asks only
 * `required` of `targets` at first, in their order (`call(node, index)`,
 * `index` the node's position in `targets`: below `required` for the first
 * asks, at or above it for the later ones), and asks the next ones
 * only when needed: at once when an asked one fails, and, when the
 * scheduler's delay passes with the quorum not reached, as many more as it
 * takes for the replies so far plus the calls asked since then to reach
 * `required` (the calls asked before are then counted as slow; they may
 * still answer and count). Rejects QUORUM_NOT_REACHED only once every target
 * was asked and `required` replies can no longer come; `missing` then names
 * every target that failed (and `skipped`). With fewer `targets` than
 * `required`, rejects at once and calls nobody. `settled` resolves once the
 * outcome is decided and every call made has settled: targets never asked
 * are neither answered nor missing there.
 */
export class SelectiveFanout<T> implements Fanout<T>, Speculative {
  deadline = 0;
  readonly quorum: Promise<FanoutOutcome<T>>;
  readonly settled: Promise<FanoutOutcome<T>>;
  private readonly answered = new Map<NodeId, T>();
  private readonly missing: Missing[];
  /** targets[next] is the next target to ask. */
  private next = 0;
  /** Calls not settled yet. */
  private pending = 0;
  /** Of those, the ones asked since the last speculation (not yet counted as slow). */
  private fresh = 0;
  private generation = 0;
  private done = false;
  private resolveQuorum!: (outcome: FanoutOutcome<T>) => void;
  private rejectQuorum!: (err: DynamisError) => void;
  private resolveSettled!: (outcome: FanoutOutcome<T>) => void;

  /**
   * Starts the calls. `extra` is incremented for each target asked beyond
   * the first `required` (the coordinator's counters).
   */
  constructor(
    private readonly what: () => string,
    private readonly targets: readonly NodeId[],
    skipped: readonly Missing[],
    private readonly required: number,
    private readonly call: (node: NodeId, index: number) => Promise<T>,
    private readonly scheduler: SpeculationScheduler,
    private readonly extra: ExtraAsks,
  ) {
    this.missing = [...skipped];
    this.quorum = new Promise((resolve, reject) => {
      this.resolveQuorum = resolve;
      this.rejectQuorum = reject;
    });
    // Callers may await other work before `quorum`: a rejection meanwhile is not unhandled.
    this.quorum.catch(() => undefined);
    this.settled = new Promise((resolve) => (this.resolveSettled = resolve));
    if (targets.length < required) {
      const reason = notAskedReason(targets.length, required);
      for (const node of targets) this.missing.push({ node, reason });
      this.next = targets.length;
      this.check();
      return;
    }
    this.topUp();
    if (!this.done && this.next < targets.length) scheduler.watch(this);
  }

  speculate(): void {
    if (this.done) return;
    this.generation++;
    this.fresh = 0;
    this.extra.speculative += this.topUp();
    if (!this.done && this.next < this.targets.length) this.scheduler.watch(this);
  }

  /** Asks the next targets until the replies plus the fresh calls could make `required`; returns how many it asked. */
  private topUp(): number {
    let asked = 0;
    while (!this.done && this.answered.size + this.fresh < this.required && this.next < this.targets.length) {
      this.ask(this.targets[this.next]!, this.next++);
      asked++;
    }
    return asked;
  }

  private ask(node: NodeId, index: number): void {
    this.pending++;
    this.fresh++;
    const generation = this.generation;
    this.call(node, index).then(
      (reply) => {
        this.settle(generation);
        this.answered.set(node, reply);
        this.check();
      },
      (err: unknown) => {
        this.settle(generation);
        this.missing.push({ node, reason: missingReason(err) });
        if (!this.done) this.extra.failover += this.topUp();
        this.check();
      },
    );
  }

  private settle(generation: number): void {
    this.pending--;
    if (generation === this.generation) this.fresh--;
  }

  private check(): void {
    if (!this.done && this.answered.size >= this.required) {
      this.finish();
      this.resolveQuorum({ answered: new Map(this.answered), missing: [...this.missing] });
    } else if (!this.done && this.next >= this.targets.length && this.answered.size + this.pending < this.required) {
      this.finish();
      this.rejectQuorum(quorumNotReached(this.what, this.required, { answered: this.answered, missing: this.missing }));
    }
    // Decided and every call settled: nothing changes `answered` or `missing` any more.
    if (this.done && this.pending === 0) this.resolveSettled({ answered: this.answered, missing: this.missing });
  }

  private finish(): void {
    this.done = true;
    this.scheduler.unwatch(this);
  }
}
