import type { Logger, NodeId, PeerRpc } from '@dynamis/core';
import type { Holdings } from './Holdings';
import { REBALANCE_MESSAGE, REBALANCE_REPLY, viewSchema, type View } from './protocol';

/**
 * Sends this node's view to every member (`rebalance.announce`) and records
 * each reply (the member's own view). Bounded: one round in flight (one
 * call per member, each under `timeoutMs`); an announce asked for meanwhile
 * runs once more after it, with the view as it is then. A member that does
 * not answer is skipped (logged at debug); the next round reaches it.
 */
export class Announcer {
  private inFlight = false;
  private again: readonly NodeId[] | undefined;

  constructor(
    private readonly rpc: PeerRpc,
    private readonly holdings: Holdings,
    private readonly timeoutMs: number,
    private readonly log: Logger,
    private readonly view: () => View,
    private readonly learned: () => void,
  ) {}

  announce(targets: readonly NodeId[]): void {
    if (this.inFlight) {
      this.again = targets;
      return;
    }
    this.inFlight = true;
    void this.round(targets).finally(() => {
      this.inFlight = false;
      const next = this.again;
      this.again = undefined;
      if (next !== undefined) this.announce(next);
    });
  }

  private async round(targets: readonly NodeId[]): Promise<void> {
    const view = this.view();
    await Promise.all(
      targets.map(async (to) => {
        try {
          const reply = await this.rpc.call(to, REBALANCE_MESSAGE.announce, view, {
            replySchema: viewSchema,
            replyType: REBALANCE_REPLY.announce,
            timeoutMs: this.timeoutMs,
          });
          this.holdings.accept(to, reply);
          this.learned();
        } catch (err) {
          this.log.debug('rebalance announce failed', { peer: to, error: (err as Error).message });
        }
      }),
    );
  }
}
