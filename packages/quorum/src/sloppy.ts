import {
  DynamisError,
  HINT_MESSAGE,
  HINT_REPLY,
  hintSchemas,
  sloppyPlan,
  toWireSibling,
  type NodeId,
  type PeerRpc,
  type Sibling,
} from '@dynamis/core';
import type { Missing } from './fanout';

/** Where one write goes: the nodes asked and the primaries reported missing without being asked. */
export interface WriteTargets {
  /** Live primaries (written through the replica protocol), then hint holders. */
  readonly live: readonly NodeId[];
  /** Primaries not asked (believed down and, under sloppy quorum, without a live fallback). */
  readonly skipped: readonly Missing[];
  /** Hint holder → the down primary it holds the write for (empty with sloppy quorum off). */
  readonly hintFor: ReadonlyMap<NodeId, NodeId>;
}

/**
 * The targets of a sloppy-quorum write (Dynamo §4.6, core's sloppyPlan): the
 * live primaries of `prefs`, then for each down primary the next live node of
 * `fallbacks` not yet used, which holds the write as a hint for it; down
 * primaries left without a fallback are skipped (`down (membership)`). `self`
 * is always alive. Pure.
 */
export function sloppyTargets(
  prefs: readonly NodeId[],
  fallbacks: readonly NodeId[],
  isAlive: (id: NodeId) => boolean,
  self: NodeId,
): WriteTargets {
  const plan = sloppyPlan(prefs, fallbacks, isAlive, self);
  return {
    live: [...plan.primaries, ...plan.hinted.map((h) => h.holder)],
    skipped: plan.uncovered.map((node) => ({ node, reason: 'down (membership)' })),
    hintFor: new Map(plan.hinted.map((h) => [h.holder, h.target])),
  };
}

/**
 * Asks `holder` to keep `siblings` of `key` as a hint for `target`
 * (`hints.store`, core's hintProtocol.ts). Resolves once the hint is durable
 * on the holder, so it counts toward W; rejects (a miss) on UNAVAILABLE
 * `overloaded` (a bound of the holder's HintStore: nothing stored), TIMEOUT,
 * or any other error. Resolves with 0 (a hint is not a stored replica).
 */
export async function storeHint(
  rpc: PeerRpc,
  holder: NodeId,
  target: NodeId,
  key: string,
  siblings: readonly Sibling[],
  call: { timeoutMs?: number },
): Promise<number> {
  await rpc.call(
    holder,
    HINT_MESSAGE.store,
    { target, key, siblings: siblings.map(toWireSibling) },
    { replySchema: hintSchemas.storeResult, replyType: HINT_REPLY.store, ...call },
  );
  return 0;
}

/**
 * Whether a write runs under sloppy quorum: the request's `sloppyQuorum`,
 * else the config's. Throws INVALID_ARGUMENT when it asks for sloppy quorum
 * on a node without hinted handoff (`hintsInstalled` false: no HintStore
 * bound), rather than accepting the option and writing to primaries only.
 */
export function sloppyEnabled(requested: boolean | undefined, configured: boolean, hintsInstalled: boolean): boolean {
  const enabled = requested ?? configured;
  if (enabled && !hintsInstalled) {
    throw new DynamisError(
      'INVALID_ARGUMENT',
      'sloppyQuorum: true needs hinted handoff on this node (the @dynamis/hinted-handoff plugin, providing HintStore): none is installed',
      { details: { option: 'sloppyQuorum', requested: requested ?? null } },
    );
  }
  return enabled;
}

/** The config problem of `replication.sloppyQuorum: true` on a node without hinted handoff, if any. */
export function sloppyConfigProblem(configured: boolean, hintsInstalled: boolean): { path: string; message: string } | undefined {
  if (!configured || hintsInstalled) return undefined;
  return {
    path: 'replication.sloppyQuorum',
    message:
      'sloppy quorum needs hinted handoff: add the @dynamis/hinted-handoff plugin (it provides HintStore and serves hints.store), or set replication.sloppyQuorum to false',
  };
}
