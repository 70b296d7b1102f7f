import { DynamisError } from '../errors/DynamisError';
import type { Clock, Timer } from '../ports/Clock';
import type { Logger } from '../ports/Logger';
import type { Membership } from '../ports/Membership';
import type { Partitioner } from '../ports/Partitioner';
import type { Rebalancer } from '../ports/Rebalancer';
import type { NodeId } from '../ports/types';

/** Where a node is in leaving the cluster for good (admin status `departure`). */
export type DepartureState = 'member' | 'handing-off' | 'left';

/** What a Departure needs. */
export interface DepartureDeps {
  readonly self: NodeId;
  readonly membership: Membership;
  readonly partitioner?: Partitioner;
  readonly rebalancer?: Rebalancer;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How often the hand-off is checked (ms). */
  readonly pollMs: number;
}

/**
 * A graceful, permanent leave (riak's `cluster leave`, Cassandra's
 * `nodetool decommission`): announces the leave through the Membership, then
 * waits until this node's data is handed off — its Partitioner's placement
 * no longer names it and its Rebalancer routes by that placement and holds
 * nothing it must still hand over (`progress().toDrop` 0: every partition it
 * had was streamed to the nodes that replace it and every node of the new
 * placement announced it is settled, so it dropped it). Without a
 * Rebalancer the leave completes once the placement no longer names it
 * (the new replicas then catch up through hints, read repair and
 * anti-entropy). One check every `pollMs` on the Clock, no deadline: while a
 * node of the new placement is down nothing streams (Rebalancer limits),
 * and the operator sees that in the progress and may stop the node anyway.
 */
export class Departure {
  private state_: DepartureState = 'member';
  private done: Promise<void> | undefined;
  private timer: Timer | undefined;
  private finish: (() => void) | undefined;

  constructor(private readonly deps: DepartureDeps) {}

  get state(): DepartureState {
    return this.state_;
  }

  /**
   * Starts the leave unless it is under way, and returns its completion:
   * resolves when handed off; rejects as Membership.leave (the state is then
   * 'member' again and the leave may be asked again). Throws at once, before
   * anything is announced, INVALID_ARGUMENT when the Membership already
   * lists this node as left.
   */
  begin(): Promise<void> {
    if (this.done !== undefined) return this.done;
    const { membership, self } = this.deps;
    if (membership.member(self)?.status === 'left') throw new DynamisError('INVALID_ARGUMENT', `node ${self} has already left`);
    this.state_ = 'handing-off';
    this.done = this.run().catch((err: unknown) => {
      this.done = undefined;
      this.state_ = 'member';
      this.deps.logger.error('leave failed', { error: (err as Error).message });
      throw err;
    });
    return this.done;
  }

  /** Stops checking (the node stops); a pending begin() then never resolves. */
  cancel(): void {
    this.timer?.cancel();
    this.timer = undefined;
    this.finish = undefined;
  }

  private async run(): Promise<void> {
    const { membership, logger, self } = this.deps;
    logger.info('leaving the cluster: handing off partitions', { nodeId: self });
    await membership.leave();
    await new Promise<void>((resolve) => {
      this.finish = resolve;
      this.check();
    });
    this.state_ = 'left';
    logger.info('left the cluster: partitions handed off', { nodeId: self });
  }

  private check(): void {
    if (this.finish === undefined) return;
    if (this.handedOff()) {
      const finish = this.finish;
      this.finish = undefined;
      finish();
      return;
    }
    this.timer = this.deps.clock.setTimer(this.deps.pollMs, () => this.check());
  }

  private handedOff(): boolean {
    const { partitioner, rebalancer, self } = this.deps;
    if (partitioner === undefined) return true;
    const placement = partitioner.placement();
    if (placement.nodes.includes(self)) return false;
    if (rebalancer === undefined) return true;
    const p = rebalancer.progress();
    return p.placementHash === placement.hash && p.toDrop === 0;
  }
}
