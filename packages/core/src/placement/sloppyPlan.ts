import type { NodeId } from '../ports/types';

/** Where a sloppy-quorum write goes (see sloppyPlan). */
export interface SloppyPlan {
  /** Primaries believed alive (this node always): written through the replica protocol. */
  readonly primaries: readonly NodeId[];
  /** One per down primary that has a live fallback: `holder` keeps the write as a hint for `target` (`hints.store`). */
  readonly hinted: readonly { readonly holder: NodeId; readonly target: NodeId }[];
  /** Down primaries left without a live fallback: missing from the write. */
  readonly uncovered: readonly NodeId[];
}

/**
 * Plans a sloppy-quorum write (Dynamo §4.6): the live primaries of the
 * preference list `prefs` take the write; each down primary, in `prefs`
 * order, is stood in for by the next live node of `fallbacks` (the
 * placement's fallbacks for the key, in ring order) not used yet, which
 * holds the write as a hint naming that primary. `self` is always alive.
 * Pure: holders are distinct, never primaries, and there are
 * min(down primaries, live fallbacks) of them.
 */
export function sloppyPlan(
  prefs: readonly NodeId[],
  fallbacks: readonly NodeId[],
  isAlive: (id: NodeId) => boolean,
  self: NodeId,
): SloppyPlan {
  const alive = (id: NodeId): boolean => id === self || isAlive(id);
  const primaries: NodeId[] = [];
  const hinted: { holder: NodeId; target: NodeId }[] = [];
  const uncovered: NodeId[] = [];
  const spare = fallbacks.filter((f) => alive(f) && !prefs.includes(f));
  let next = 0;
  for (const target of prefs) {
    if (alive(target)) primaries.push(target);
    else if (next < spare.length) hinted.push({ holder: spare[next++]!, target });
    else uncovered.push(target);
  }
  return { primaries, hinted, uncovered };
}
