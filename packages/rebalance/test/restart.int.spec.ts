import { describe, expect, it } from '@jest/globals';
import type { PartitionId, StoreBatchOp } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { rebalanceCluster, seeds } from './simCluster';

/*
 * Holdings survive a restart (README, "Start"): n4 joins a 3-node cluster
 * (N=3, Q=64, engine-lsm on the simulated disk) and crashes while it is
 * streaming in what it gained. Restarted over its disk, it holds exactly the
 * partitions it had received completely — not every partition it replicates
 * (the old start rule, for a node with data: reads would reach partitions it
 * has only part of) — and streams in only the rest. Afterwards each of its
 * partitions has as many keys on it as on another of its replicas.
 */

const PRELOAD = 2000;

describe('simulation: a gaining node restarted mid-stream', () => {
  for (const seed of seeds(2, 1700)) {
    it(`seed ${seed}: holds exactly what it had received, streams only the rest`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2', 'n3'] }, async (sim) => {
        const c = await rebalanceCluster(sim, {
          engine: 'lsm',
          rebalance: { announceIntervalMs: 200, drainMs: 300, maxBytesInFlight: 4 * 1024, maxConcurrentStreams: 1 },
        });
        await sim.runUntil(() => c.quiet(['n1', 'n2', 'n3']), 60_000);
        for (let b = 0; b < PRELOAD / 100; b++) {
          const ops: StoreBatchOp[] = Array.from({ length: 100 }, (_, i) => {
            const key = `pre-${b * 100 + i}`;
            return { type: 'put', key, value: Buffer.from(key.padEnd(100, '#')) };
          });
          await sim.settle(c.coordinator(`n${1 + (b % 3)}`).batch(ops, {}));
        }

        await sim.settle(c.join('n4'));
        await sim.runUntil(() => c.rebalancer('n4').progress().done >= 3, 600_000);
        const received = new Set<PartitionId>(c.rebalancer('n4').holdings.own);
        const placement = c.placement('n4');
        const replicated = placement.partitions.map((p) => p.id).filter((p) => placement.preferenceList(p, c.n).includes('n4'));
        expect(received.size).toBeGreaterThanOrEqual(3);
        expect(received.size).toBeLessThan(replicated.length);

        c.crash('n4');
        await sim.runFor(1000);
        await c.restart('n4');
        expect([...c.rebalancer('n4').holdings.own].sort((a, b) => a - b)).toEqual([...received].sort((a, b) => a - b));

        await sim.runUntil(() => c.quiet(['n1', 'n2', 'n3', 'n4']), 600_000);
        expect(c.quiet(['n1', 'n2', 'n3', 'n4'])).toBe(true);
        // Since the restart: exactly the partitions it had not received yet.
        expect(c.rebalancer('n4').progress().done).toBe(replicated.length - received.size);
        let total = 0;
        for (const p of replicated) {
          const peer = placement.preferenceList(p, c.n).find((id) => id !== 'n4')!;
          let mine = 0;
          let theirs = 0;
          for await (const _ of c.replica('n4').scan(p)) mine++;
          for await (const _ of c.replica(peer).scan(p)) theirs++;
          expect(`${p}:${mine}`).toBe(`${p}:${theirs}`);
          total += mine;
        }
        expect(total).toBeGreaterThan(PRELOAD / 2);
        await c.stop();
      });
    });
  }
});
