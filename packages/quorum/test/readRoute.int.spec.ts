import { afterEach, describe, expect, it } from '@jest/globals';
import { PartitionerToken, type NodeId, type Placement, type Rebalancer } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { NOT_HOLDER_REASON } from '../src/QuorumCoordinator';
import { bytes, simCluster, text, type SimCluster } from './simCluster';

/*
 * When the Rebalancer's read route leaves out replicas of the placement (they
 * do not hold the partition yet), a read that cannot reach R fails
 * QUORUM_NOT_REACHED naming each left-out replica with the route's reason,
 * not as "believed down": the error points at rebalancing, not membership.
 */
let cluster: SimCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

/** Routes by the placement, except that reads of the partitions in `narrowed` go to the first replica only. */
class NarrowingRebalancer implements Rebalancer {
  readonly narrowed = new Set<number>();
  route(placement: Placement, partition: number, n: number) {
    const prefs = placement.preferenceList(partition, n);
    return { read: this.narrowed.has(partition) ? prefs.slice(0, 1) : prefs, write: prefs, extraAcks: 0 };
  }
  progress() {
    return {
      placementHash: '',
      pending: 0,
      streaming: 0,
      done: 0,
      toDrop: 0,
      dropped: 0,
      bytesMoved: 0,
      keysMoved: 0,
      bytesPerSecond: 0,
      settled: true,
    };
  }
}

describe('a read whose route leaves out replicas that do not hold the partition yet', () => {
  it('fails naming each left-out replica as not a holder, and reads normally once the route has them back', async () => {
    await runSimulation(4201, async (sim) => {
      const rebalancers = new Map<NodeId, NarrowingRebalancer>();
      const c = (cluster = await simCluster(sim, { rebalancer: (id) => rebalancers.set(id, new NarrowingRebalancer()).get(id)! }));
      const key = 'k';
      const placement = c.node('n1').resolve(PartitionerToken).placement();
      const [first, second, third] = placement.preferenceList(key, 3) as [NodeId, NodeId, NodeId];
      await c.run(c.coordinator(first).put(key, bytes('v1'), { consistency: 'all' }));
      await sim.runFor(100);

      rebalancers.get(first)!.narrowed.add(placement.partitionOf(key));
      const err = await c.run(c.coordinator(first).get(key, {})).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'QUORUM_NOT_REACHED', details: { required: 2, answered: [] } });
      const missing = (err as { details: { missing: { node: string; reason: string }[] } }).details.missing;
      expect(
        missing
          .filter((m) => m.reason === NOT_HOLDER_REASON)
          .map((m) => m.node)
          .sort(),
      ).toEqual([second, third].sort());
      expect(missing.find((m) => m.node === first)?.reason).toMatch(/only 1 replicas can be asked .*, 2 required/);

      rebalancers.get(first)!.narrowed.clear();
      const read = await c.run(c.coordinator(first).get(key, {}));
      expect(read.siblings.map(text)).toEqual(['v1']);
    });
  });
});
