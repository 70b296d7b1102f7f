import type { NodeId, PartitionRoute } from '@dynamis/core';

/**
 * The route of one partition (see Rebalancer.route), from its first `n`
 * replicas in the placement (`prefs`) and the nodes known to hold its
 * complete data (`holders`). Pure.
 *
 * - No holder known (a fresh cluster, or a node that has heard from no one
 *   yet): the placement's route, as without a Rebalancer.
 * - Otherwise reads go to the replicas that hold it, in preference order,
 *   then to other holders (by id) standing in for those that do not yet,
 *   `n` at most; writes go to the replicas plus every other holder, with
 *   one extra acknowledgement required per extra node. So a write
 *   acknowledged by W + extra of them is on at least W of the old replicas
 *   and W of the new ones, whichever set a reader uses.
 */
export function routeFor(prefs: readonly NodeId[], holders: ReadonlySet<NodeId>, n: number): PartitionRoute {
  if (holders.size === 0) return { read: prefs, write: prefs, extraAcks: 0 };
  const others = [...holders].filter((h) => !prefs.includes(h)).sort();
  const read = prefs.filter((p) => holders.has(p));
  for (const o of others) {
    if (read.length >= n) break;
    read.push(o);
  }
  if (others.length === 0) return { read: read.length === prefs.length ? prefs : read, write: prefs, extraAcks: 0 };
  return { read, write: [...prefs, ...others], extraAcks: others.length };
}
