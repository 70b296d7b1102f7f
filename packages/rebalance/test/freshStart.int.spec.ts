import { describe, expect, it } from '@jest/globals';
import { isDynamisError, type Coordinator } from '@dynamis/core';
import { runSimulation, type Simulation } from '@dynamis/testkit';
import { rebalanceCluster, seeds } from './simCluster';

/*
 * A fresh cluster has nothing to move (README, "Start"). Three empty nodes
 * come to route by one placement; after `drainMs` each holds the partitions
 * it replicates. One node may get there first and announce its claims before
 * the others have claimed (here n1 waits 300 ms, n2 and n3 700: a node that
 * heard the last view later, or a loaded one, gets there later): the others must still hold what they replicate —
 * they were replicas receiving every write all along — not take the first
 * node's claims as data to stream in. Before the fix they did: for a while
 * every partition had one holder, every read at R=2 failed QUORUM_NOT_REACHED
 * ("0 of the 2 required replicas answered", the cluster bench's failed reads
 * about 10 s after start), and each partition was then streamed for nothing.
 */

const KEYS = Array.from({ length: 64 }, (_, i) => `fresh-${i}`);

describe('simulation: a fresh cluster whose nodes initialise at different times', () => {
  for (const seed of seeds(2, 2100)) {
    it(`seed ${seed}: every replica holds its partitions, nothing is streamed, R=2 reads never fail`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2', 'n3'] }, async (sim) => {
        // n1 initialises after 300 ms, n2 and n3 after 700: n1's claims reach them first.
        const c = await rebalanceCluster(sim, {
          rebalanceOf: (id) => ({ announceIntervalMs: 200, drainMs: id === 'n1' ? 300 : 700 }),
        });
        // Written before any node holds anything: a fresh cluster routes by the placement.
        await sim.settle(Promise.all(KEYS.map((key) => c.coordinator('n1').put(key, Buffer.from(key), {}))));
        await sim.runFor(500);
        expect(c.rebalancer('n1').holdings.own.size).toBe(c.placement('n1').partitionCount);
        expect(c.rebalancer('n2').holdings.own.size).toBe(0); // not initialised yet
        expect(c.rebalancer('n3').holdings.own.size).toBe(0);
        // n1 holds every partition and knows n2 and n3 hold none yet: its reads still reach R=2.
        expect(await readAll(sim, c.coordinator('n1'))).toEqual([]);
        await sim.runFor(300); // n2 and n3 initialise, having heard n1's claims
        expect(await readAll(sim, c.coordinator('n1'))).toEqual([]);
        await sim.runUntil(() => c.quiet(['n1', 'n2', 'n3']), 60_000);
        expect(['n1', 'n2', 'n3'].map((id) => c.rebalancer(id).progress().done)).toEqual([0, 0, 0]);
        await c.stop();
      });
    });
  }
});

/** Reads every key of KEYS through `coordinator`, checking each value; returns the failed reads. */
async function readAll(sim: Simulation, coordinator: Coordinator): Promise<string[]> {
  const failed: string[] = [];
  for (const key of KEYS) {
    const read = await sim.settle(coordinator.get(key, {})).catch((err: unknown) => err);
    if (isDynamisError(read)) failed.push(`${key}: ${read.message}`);
    else expect(Buffer.from((read as { siblings: { value: Uint8Array }[] }).siblings[0]!.value).toString()).toBe(key);
  }
  return failed;
}
