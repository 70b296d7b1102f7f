import { DynamisError, toWireSibling, type MessageRouter, type NodeId, type Replica } from '@dynamis/core';
import type { Holdings } from './Holdings';
import { pullRequestSchema, REBALANCE_MESSAGE, REBALANCE_REPLY, recordBytes, viewSchema, type PullRequest, type View } from './protocol';

const OWNER = '@dynamis/rebalance';

/** What the service needs from its rebalancer. */
export interface PullServiceHost {
  readonly holdings: Holdings;
  readonly replica: Replica;
  readonly router: MessageRouter;
  /** This node's view, sent in every announce reply. */
  view(): View;
  /** Called after a member's view was recorded. */
  learned(from: NodeId): void;
  /** True when `from` is a member this node knows (views of others are answered, not kept). */
  isMember(from: NodeId): boolean;
}

/**
 * Serves the rebalance protocol (protocol.ts) to peers: registers
 * `rebalance.announce` and `rebalance.pull` on start, removes them on stop.
 * A pull of a partition this node does not hold is UNAVAILABLE
 * (`notHolder`, `applied: false`): the puller tries another source. A page
 * stops at `maxKeys` records or once `maxBytes` record bytes are reached
 * (so it holds at most one record beyond that bound).
 */
export class PullService {
  private registered = false;

  constructor(private readonly host: PullServiceHost) {}

  start(): void {
    if (this.registered) return;
    const { router } = this.host;
    router.register(REBALANCE_MESSAGE.announce, viewSchema, async (from, view) => this.announce(from, view), OWNER);
    router.register(REBALANCE_MESSAGE.pull, pullRequestSchema, async (_from, req) => this.pull(req), OWNER);
    this.registered = true;
  }

  stop(): void {
    if (!this.registered) return;
    this.host.router.unregister(REBALANCE_MESSAGE.announce);
    this.host.router.unregister(REBALANCE_MESSAGE.pull);
    this.registered = false;
  }

  private announce(from: NodeId, view: View) {
    if (this.host.isMember(from)) {
      this.host.holdings.accept(from, view);
      this.host.learned(from);
    }
    return { type: REBALANCE_REPLY.announce, payload: this.host.view() };
  }

  private async pull(req: PullRequest) {
    const { holdings, replica } = this.host;
    if (req.partitionCount !== holdings.partitionCount || req.partition >= holdings.partitionCount) {
      throw new DynamisError(
        'INVALID_ARGUMENT',
        `partition ${req.partition} of ${req.partitionCount} is not one of this node's ${holdings.partitionCount}`,
      );
    }
    if (!holdings.own.has(req.partition)) {
      throw new DynamisError('UNAVAILABLE', `this node does not hold partition ${req.partition}`, {
        details: { notHolder: true, applied: false },
      });
    }
    const entries: { key: string; siblings: ReturnType<typeof toWireSibling>[] }[] = [];
    let bytes = 0;
    let next: string | undefined;
    let full = false;
    const range = req.after === undefined ? { partition: req.partition } : { partition: req.partition, gte: req.after };
    for await (const [key, siblings] of replica.scan(range)) {
      if (key === req.after) continue;
      if (full) {
        next = entries[entries.length - 1]!.key;
        break;
      }
      entries.push({ key, siblings: siblings.map(toWireSibling) });
      bytes += recordBytes(key, siblings);
      full = entries.length >= req.maxKeys || bytes >= req.maxBytes;
    }
    return { type: REBALANCE_REPLY.pull, payload: next === undefined ? { entries } : { entries, next } };
  }
}
