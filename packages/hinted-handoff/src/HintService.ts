import {
  DynamisError,
  fromWireSibling,
  HINT_MESSAGE,
  HINT_REPLY,
  hintSchemas,
  type HintStore,
  type Lifecycle,
  type Logger,
  type MessageRouter,
} from '@dynamis/core';
import { hintRefusal, type HintAdmissionView } from './hintAdmission';

import { HINT_STATS_MESSAGE, HINT_STATS_REPLY, hintStatsSchemas } from './statsProtocol';

const OWNER = '@dynamis/hinted-handoff';

/**
 * Serves the hint protocol (core's hintProtocol.ts, docs/protocol.md "Hint
 * protocol") on this node's HintStore: `hints.store` { target, key,
 * siblings } adds the hint and answers `{ stored: true }` once `add`
 * resolved (the hint is durable). A hint this node must not hold
 * (hintRefusal: target not a member or not a primary of the
 * key, this node a primary) is refused INVALID_ARGUMENT (`details.refused`,
 * `applied: false`) before the store sees it, counted (`refused`) and logged
 * at warn (the 1st, 2nd, 4th, 8th… refusal, so a flood cannot flood the
 * log). Other errors are the store's: INVALID_KEY,
 * INVALID_ARGUMENT, UNAVAILABLE `overloaded` for a bound. Registered on
 * start, unregistered on stop (then answered UNAVAILABLE `notStarted`:
 * the plugin declares the type). Also serves `hints.stats` (statsProtocol.ts):
 * the store's stats, read-only.
 */
export class HintService implements Lifecycle {
  private registered = false;
  /** Hints refused by hintRefusal since start. */
  refused = 0;

  constructor(
    private readonly store: HintStore,
    private readonly router: MessageRouter,
    private readonly view: HintAdmissionView,
    private readonly logger: Logger,
  ) {}

  /** Registers `hints.store` and `hints.stats`. Throws INVALID_ARGUMENT if another owner registered it. Idempotent. */
  async start(): Promise<void> {
    if (this.registered) return;
    this.router.register(
      HINT_MESSAGE.store,
      hintSchemas.store,
      async (from, m) => {
        this.admit(from, m.target, m.key);
        await this.store.add(m.target, m.key, m.siblings.map(fromWireSibling));
        return { type: HINT_REPLY.store, payload: { stored: true as const } };
      },
      OWNER,
    );
    this.router.register(
      HINT_STATS_MESSAGE,
      hintStatsSchemas.request,
      async () => {
        const { pending, dropped, delivered } = this.store.stats();
        return { type: HINT_STATS_REPLY, payload: { pending: { ...pending }, dropped, delivered } };
      },
      OWNER,
    );
    this.registered = true;
  }

  private admit(from: string, target: string, key: string): void {
    const why = hintRefusal(this.view, target, key);
    if (why === undefined) return;
    this.refused++;
    if ((this.refused & (this.refused - 1)) === 0)
      this.logger.warn('hint refused', { from, target, key, reason: why, refused: this.refused });
    throw new DynamisError('INVALID_ARGUMENT', `hint refused: ${why}`, { details: { refused: why, from, target, applied: false } });
  }

  /** Unregisters both (requests in flight finish). Idempotent. */
  async stop(): Promise<void> {
    if (!this.registered) return;
    this.router.unregister(HINT_MESSAGE.store);
    this.router.unregister(HINT_STATS_MESSAGE);
    this.registered = false;
  }
}
