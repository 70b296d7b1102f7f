import type { Clock, Logger, Membership, NodeId, Partitioner, PartitionId, Random, RepairStats, Timer } from '@dynamis/core';

/** One (partition, peer) pair this node may exchange. */
export interface RepairPair {
  readonly partition: PartitionId;
  readonly peer: NodeId;
}

/**
 * The (partition, peer) pairs of `self` in a placement: for every partition
 * whose first `n` replicas include `self`, one pair per other replica, in
 * partition order then preference order. Pure.
 */
export function repairPairs(partitioner: Partitioner, self: NodeId, n: number): RepairPair[] {
  const placement = partitioner.placement();
  const pairs: RepairPair[] = [];
  const partitions = placement.partitions;
  for (let i = 0; i < partitions.length; i++) {
    const id = partitions[i]!.id;
    const prefs = placement.preferenceList(id, n);
    if (!prefs.includes(self)) continue;
    for (let j = 0; j < prefs.length; j++) if (prefs[j] !== self) pairs.push({ partition: id, peer: prefs[j]! });
  }
  return pairs;
}

/** What the scheduler drives. */
export interface SchedulerDeps {
  readonly self: NodeId;
  readonly n: number;
  readonly intervalMs: number;
  readonly partitioner: Partitioner;
  readonly membership: Membership | undefined;
  readonly clock: Clock;
  readonly random: Random;
  readonly log: Logger;
  /** True when exchanges can run (the trees are ready). */
  readonly ready: () => boolean;
  readonly exchange: (peer: NodeId, partition: PartitionId) => Promise<RepairStats>;
}

/**
 * Periodic anti-entropy: every `intervalMs` (on the Clock, after the previous
 * exchange ended, so at most one scheduled exchange runs at a time) it takes
 * the next (partition, peer) pair of the current placement, round-robin from
 * a random start, skipping peers Membership says are down, and exchanges it.
 * A full cycle over P pairs takes about P × (intervalMs + exchange time).
 * A failed exchange is logged (warn; counted in MerkleAntiEntropy.stats) and the cycle goes on.
 */
export class RepairScheduler {
  private timer: Timer | undefined;
  private cursor: number | undefined;
  private running = false;
  /** The pairs of the placement whose hash is `pairsHash` (currentPairs). */
  private pairs: RepairPair[] | undefined;
  private pairsHash: string | undefined;

  constructor(private readonly deps: SchedulerDeps) {}

  start(): void {
    this.running = true;
    this.schedule();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.deps.clock.setTimer(this.deps.intervalMs, () => void this.tick());
  }

  private async tick(): Promise<void> {
    const pair = this.deps.ready() ? this.next() : undefined;
    if (pair !== undefined) {
      try {
        const stats = await this.deps.exchange(pair.peer, pair.partition);
        const repaired = stats.keysSent + stats.keysReceived;
        if (repaired > 0) this.deps.log.info('anti-entropy repaired keys', { ...stats });
      } catch (err) {
        this.deps.log.warn('anti-entropy exchange failed', { ...pair, error: String(err) });
      }
    }
    this.schedule();
  }

  private next(): RepairPair | undefined {
    const pairs = this.currentPairs();
    if (pairs.length === 0) return undefined;
    this.cursor ??= this.deps.random.int(pairs.length);
    for (let tried = 0; tried < pairs.length; tried++) {
      const pair = pairs[this.cursor % pairs.length]!;
      this.cursor = (this.cursor + 1) % pairs.length;
      if (this.deps.membership === undefined || this.deps.membership.isAlive(pair.peer)) return pair;
    }
    return undefined;
  }

  /** repairPairs of the current placement, built again only when the placement changed (not on every tick). */
  private currentPairs(): RepairPair[] {
    const placement = this.deps.partitioner.placement();
    if (this.pairs === undefined || this.pairsHash !== placement.hash) {
      this.pairs = repairPairs(this.deps.partitioner, this.deps.self, this.deps.n);
      this.pairsHash = placement.hash;
    }
    return this.pairs;
  }
}
