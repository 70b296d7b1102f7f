import { z } from 'zod';
import { wireSiblingsSchema } from './replicaProtocol';

/**
 * The hint protocol (docs/protocol.md, "Hint protocol"): a sloppy-quorum
 * coordinator asks a fallback node to hold a write for a primary that is
 * down (the target). Served by the HintStore plugin (@dynamis/hinted-handoff)
 * on the node's HintStore; called through PeerRpc with these schemas, so the
 * coordinator and the plugin share one definition without importing each other.
 *
 * `hints.store` { target, key, siblings } → `hints.store.result` { stored: true },
 * sent only once the hint is durable on the receiving node. Errors: INVALID_KEY,
 * INVALID_ARGUMENT (target not a node id, a sibling the receiver's resolver
 * refuses), UNAVAILABLE `overloaded` (a bound of the receiver's HintStore:
 * the hint was not stored and must not count as a replica), UNAVAILABLE
 * `notStarted` (no hint service there: `applied: false`).
 */
export const HINT_MESSAGE = { store: 'hints.store' } as const;

/** Reply types: the request type + '.result'. */
export const HINT_REPLY = { store: 'hints.store.result' } as const;

/** Request and reply schemas. Keys and siblings are checked by the receiver (INVALID_KEY, INVALID_ARGUMENT). */
export const hintSchemas = {
  store: z
    .object({
      target: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
      key: z.string().min(1),
      siblings: wireSiblingsSchema.min(1),
    })
    .strict(),
  storeResult: z.object({ stored: z.literal(true) }).strict(),
};
