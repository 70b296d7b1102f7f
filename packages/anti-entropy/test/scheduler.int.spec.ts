import { describe, expect, it } from '@jest/globals';
import { PartitionerToken } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { AE_MESSAGE, repairPairs } from '../src';
import { seeds, simCluster } from './simCluster';

describe('the repair scheduler', () => {
  for (const seed of seeds(1, 1500)) {
    it(`seed ${seed}: exchanges every (partition, peer) pair of the placement, skipping peers Membership calls down`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2', 'n3', 'n4'] }, async (sim) => {
        const c = await simCluster(sim, { n: 2, partitions: 16, antiEntropy: { intervalMs: 100 } });
        const pairs = repairPairs(c.node('n1').resolve(PartitionerToken), 'n1', 2);
        const placement = c.placement('n1');
        // Every pair: a partition n1 replicates, and another of its first 2 replicas.
        expect(pairs.length).toBe(placement.partitions.filter((p) => placement.preferenceList(p.id, 2).includes('n1')).length);
        for (const { partition, peer } of pairs)
          expect(placement.preferenceList(partition, 2)).toEqual(expect.arrayContaining(['n1', peer]));
        const peers = [...new Set(pairs.map((p) => p.peer))];
        expect(peers.length).toBeGreaterThan(1);
        const down = peers[0]!;
        c.view('n1').setAlive(down, false);
        await sim.runFor(100 * (pairs.length + 2) * 3);
        expect(c.requests('n1', down, AE_MESSAGE.nodes)).toBe(0);
        for (const peer of peers.slice(1)) expect(c.requests('n1', peer, AE_MESSAGE.nodes)).toBeGreaterThan(0);
        expect(c.ae('n1').stats().exchanges).toBeGreaterThanOrEqual(pairs.filter((p) => p.peer !== down).length);
        // Equal replicas: every exchanged pair is synced, at the start of its exchange.
        for (const { partition, peer } of pairs.filter((p) => p.peer !== down)) expect(c.ae('n1').syncedAt(partition, peer)).toBeDefined();
        c.view('n1').setAlive(down, true);
        await sim.runFor(100 * (pairs.length + 2) * 2);
        expect(c.requests('n1', down, AE_MESSAGE.nodes)).toBeGreaterThan(0);
        await c.stop();
      });
    });
  }
});
