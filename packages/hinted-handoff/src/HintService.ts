import { fromWireSibling, HINT_MESSAGE, HINT_REPLY, hintSchemas, type HintStore, type Lifecycle, type MessageRouter } from '@dynamis/core';

import { HINT_STATS_MESSAGE, HINT_STATS_REPLY, hintStatsSchemas } from './statsProtocol';

const OWNER = '@dynamis/hinted-handoff';

/**
 * Serves the hint protocol (core's hintProtocol.ts, docs/protocol.md "Hint
 * protocol") on this node's HintStore: `hints.store` { target, key,
 * siblings } adds the hint and answers `{ stored: true }` once `add`
 * resolved (the hint is durable). Errors are the store's: INVALID_KEY,
 * INVALID_ARGUMENT, UNAVAILABLE `overloaded` for a bound. Registered on
 * start, unregistered on stop (then answered UNAVAILABLE `notStarted`:
 * the plugin declares the type). Also serves `hints.stats` (statsProtocol.ts):
 * the store's stats, read-only.
 */
export class HintService implements Lifecycle {
  private registered = false;

  constructor(
    private readonly store: HintStore,
    private readonly router: MessageRouter,
  ) {}

  /** Registers `hints.store` and `hints.stats`. Throws INVALID_ARGUMENT if another owner registered it. Idempotent. */
  async start(): Promise<void> {
    if (this.registered) return;
    this.router.register(
      HINT_MESSAGE.store,
      hintSchemas.store,
      async (_from, m) => {
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

  /** Unregisters both (requests in flight finish). Idempotent. */
  async stop(): Promise<void> {
    if (!this.registered) return;
    this.router.unregister(HINT_MESSAGE.store);
    this.router.unregister(HINT_STATS_MESSAGE);
    this.registered = false;
  }
}
