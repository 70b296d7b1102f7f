import type { NodeId } from '@dynamis/core';
import type { ClaimEvent } from './claimEvent';
import { sameEvent } from './claimEvent';
import { claimStep } from './incrementalClaim';
import type { RingNode } from './ringNode';

/** A claim result: the events folded, the nodes live after them (in join order) and the owner of each partition ([] when none is live). */
export interface Claim {
  readonly events: readonly ClaimEvent[];
  readonly live: readonly RingNode[];
  readonly owners: readonly NodeId[];
}

/**
 * The assignment after `events` (sorted by eventOrder, each node joining at
 * most once and leaving at most once, after its join): a pure function of
 * that list. The ring is built as if the events had happened one at a time,
 * each one an incremental step that moves only what must move (Riak's
 * claimant): a join is claimStep with the new node below its quota, so
 * partitions move only onto it; a leave hands the leaver's partitions to the
 * nodes below their new quota (claimStep over the nodes left, the leaver's
 * partitions unowned), so nothing else moves. So an event that sorts after
 * every other (a new join, a leave stamped now) moves the minimum; an event
 * that sorts earlier re-derives the ring from there. `from`, when given, must
 * be a Claim this function returned for the same partitionCount and targetN:
 * when its events are a prefix of `events`, the fold continues from it, with
 * the same result. Cost: one claimStep per event not in the reused prefix.
 */
export function foldClaim(events: readonly ClaimEvent[], partitionCount: number, targetN: number, from?: Claim): Claim {
  const owners = new Int32Array(partitionCount).fill(-1);
  let live: RingNode[] = [];
  let start = 0;
  if (from !== undefined && isPrefix(from.events, events) && (from.owners.length === partitionCount || from.live.length === 0)) {
    live = [...from.live];
    const index = new Map(live.map((n, i) => [n.id, i]));
    from.owners.forEach((o, p) => (owners[p] = index.get(o)!));
    start = from.events.length;
  }
  for (let e = start; e < events.length; e++) {
    const event = events[e]!;
    if (event.kind === 'join') {
      live.push(event.node);
    } else {
      const gone = live.findIndex((n) => n.id === event.node.id);
      if (gone < 0) continue; // a leave without a join: nothing to hand over
      for (let p = 0; p < partitionCount; p++) {
        const o = owners[p]!;
        owners[p] = o === gone ? -1 : o > gone ? o - 1 : o;
      }
      live = [...live.slice(0, gone), ...live.slice(gone + 1)];
    }
    // Node i of `live` is the index i in `owners`: a join appends, a leave renumbers above.
    claimStep(owners, live, targetN);
  }
  return { events: [...events], live, owners: live.length === 0 ? [] : Array.from(owners, (o) => live[o]!.id) };
}

function isPrefix(prefix: readonly ClaimEvent[], events: readonly ClaimEvent[]): boolean {
  if (prefix.length === 0 || prefix.length > events.length) return false;
  return prefix.every((e, i) => sameEvent(e, events[i]!));
}
