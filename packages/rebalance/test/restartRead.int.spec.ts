import { describe, expect, it } from '@jest/globals';
import type { NodeId } from '@dynamis/core';
import { runSimulation, type FaultyFileSystem } from '@dynamis/testkit';
import { loadHoldings } from '../src/holdingsFile';
import { rebalanceCluster, seeds, type RebalanceCluster } from './simCluster';

/*
 * Reads right after a restart (README, "Start"). A node knows its peers'
 * holdings only from their announcements; right after it restarts it has
 * heard none. Under the placement its holdings file names as settled, it
 * presumes that a replica it has not heard from holds what it replicates
 * there, so a read at R=2 it coordinates succeeds at once (without that, its
 * read set was itself alone: QUORUM_NOT_REACHED, "0 of the 2 required
 * replicas answered"). Under any other placement it presumes nothing: a
 * gaining node that has not streamed yet is never read as a holder. The file
 * forgets the hash (saved first) before the node says it is settled under
 * another placement — not merely because it saw one, as gossip does for a
 * moment after every restart.
 */

const KEYS = Array.from({ length: 60 }, (_, i) => `key-${i}`);
const OPTIONS = { engine: 'lsm', rebalance: { announceIntervalMs: 200, drainMs: 300 } } as const;

/** Writes every key, each coordinated by one of its replicas other than `down` (so nothing is forwarded to it). */
async function writeAll(c: RebalanceCluster, down: NodeId, value: string): Promise<void> {
  const placement = c.placement(c.ids().find((id) => id !== down)!);
  const writes = KEYS.map((key) => {
    const via = placement.preferenceList(placement.partitionOf(key), c.n).find((id) => id !== down)!;
    return c.coordinator(via).put(key, Buffer.from(`${key}=${value}`), {});
  });
  await c.sim.settle(Promise.all(writes));
}

/** The settled placement hash in `id`'s holdings file. */
function settledOnDisk(c: RebalanceCluster, id: NodeId): string | undefined {
  return loadHoldings(c.sim.disk(id), `/data/${id}/rebalance`, id, c.placement(c.ids()[0]!).partitionCount)?.settledHash;
}

/** Quiet, and every node's file names the placement as settled (each saw every node settled there). */
async function settledEverywhere(c: RebalanceCluster, ids: readonly NodeId[]): Promise<void> {
  await c.sim.runUntil(() => c.quiet(ids) && ids.every((id) => settledOnDisk(c, id) === c.placement(id).hash), 600_000);
  expect(ids.map((id) => settledOnDisk(c, id))).toEqual(ids.map((id) => c.placement(id).hash));
}

/** Each key read at R=2 through `via`, started now (before the clock moves): the value, or the error's code. */
async function readAll(c: RebalanceCluster, via: NodeId): Promise<string[]> {
  const reads = KEYS.map((key) =>
    c
      .coordinator(via)
      .get(key, {})
      .then(
        (r) => (r.siblings.length === 1 ? Buffer.from(r.siblings[0]!.value!).toString() : `${r.siblings.length} siblings`),
        (err: { code?: string }) => `failed ${err.code ?? String(err)}`,
      ),
  );
  return c.sim.settle(Promise.all(reads));
}

describe('simulation: reads coordinated by a node right after it restarts', () => {
  for (const [size, seed] of [3, 4].flatMap((size) => seeds(1, 2000 + size).map((s) => [size, s] as const))) {
    it(`seed ${seed}, ${size} nodes: each node restarted in turn answers R=2 reads at once, with the latest values`, async () => {
      const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
      await runSimulation({ seed, nodes: ids }, async (sim) => {
        const c = await rebalanceCluster(sim, OPTIONS);
        await settledEverywhere(c, ids);
        await writeAll(c, '', 'v0');
        for (const [round, id] of ids.entries()) {
          c.crash(id);
          await writeAll(c, id, `v${round + 1}`); // acknowledged by the others while `id` is down
          // Restarted cut off from its peers for a while: its first planning steps run, nothing is heard.
          for (const x of ids) if (x !== id) sim.network.cut(id, x);
          await c.restart(id);
          await sim.runFor(100);
          const placement = c.placement(id);
          const reads = placement.partitions.map(({ id: p }) => c.rebalancer(id).route(placement, p, c.n).read.join());
          expect(reads).toEqual(placement.partitions.map(({ id: p }) => placement.preferenceList(p, c.n).join()));
          sim.network.heal();
          // Nothing heard from any peer yet: their holdings are presumed from the placement settled before.
          expect(ids.filter((x) => x !== id && c.rebalancer(id).holdings.view(x) !== undefined)).toEqual([]);
          expect(await readAll(c, id)).toEqual(KEYS.map((key) => `${key}=v${round + 1}`));
          await settledEverywhere(c, ids);
        }
        await c.stop();
      });
    });
  }

  for (const seed of seeds(1, 2100)) {
    it(`seed ${seed}: a node restarted under a placement it did not see settled presumes nothing (no stale read)`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2', 'n3'] }, async (sim) => {
        const c = await rebalanceCluster(sim, OPTIONS);
        await settledEverywhere(c, ['n1', 'n2', 'n3']);
        await writeAll(c, '', 'old');
        const before = c.placement('n1').hash;
        c.crash('n3');
        await writeAll(c, 'n3', 'new'); // on n1 and n2 only
        // n4 joins while n3 is down: nothing streams (n3 cannot announce the new placement), n4 holds nothing.
        await c.join('n4');
        await sim.runFor(2000);
        const after = c.placement('n1').hash;
        expect(after).not.toBe(before);
        expect(c.rebalancer('n4').holdings.own.size).toBe(0);
        // n3's file names `before` (it crashed there); its restarted ring is `after`.
        expect(settledOnDisk(c, 'n3')).toBe(before);

        // n3 restarts knowing n4 (its file still names `before`), reaching only n4: were n4 presumed a holder
        // (it is a replica it has not heard from), a read could be answered by n3 (old) and n4 (nothing).
        sim.network.cut('n3', 'n1');
        sim.network.cut('n3', 'n2');
        await c.restart('n3');
        expect(c.placement('n3').hash).toBe(after);
        expect(c.rebalancer('n3').holdings.view('n4')).toBeUndefined();
        const placement = c.placement('n3');
        const exposed = KEYS.filter((key) => {
          const prefs = placement.preferenceList(placement.partitionOf(key), c.n);
          return prefs.includes('n3') && prefs.includes('n4');
        });
        expect(exposed.length).toBeGreaterThan(0);
        const reads = await readAll(c, 'n3');
        // Each read fails or returns the acknowledged value, never the one it overwrote (nor nothing).
        expect(KEYS.filter((key, i) => reads[i] !== `${key}=new` && !reads[i]!.startsWith('failed '))).toEqual([]);
        sim.network.heal();
        await c.stop();
      });
    });
  }

  for (const seed of seeds(1, 2200)) {
    it(`seed ${seed}: a node says it is settled under a new placement only once its file no longer names the old one`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2', 'n3'], disk: 'faulty' }, async (sim) => {
        const c = await rebalanceCluster(sim, { rebalance: OPTIONS.rebalance });
        await settledEverywhere(c, ['n1', 'n2', 'n3']);
        const before = c.placement('n1').hash;
        const disk = sim.disk('n1') as FaultyFileSystem;
        for (let i = 0; i < 3; i++) disk.failNext('rename'); // the next three saves of n1's holdings fail
        await c.join('n4');
        // Checked before every event: n1 is never settled under the new placement while its file names the old one.
        let early = false;
        await sim.runUntil(() => {
          const { placementHash, settled } = c.rebalancer('n1').progress();
          early ||= settled && placementHash !== before && settledOnDisk(c, 'n1') === before;
          return settled && placementHash === c.placement('n1').hash;
        }, 600_000);
        expect(early).toBe(false);
        expect(settledOnDisk(c, 'n1')).not.toBe(before);
        await settledEverywhere(c, ['n1', 'n2', 'n3', 'n4']);
        await c.stop();
      });
    });
  }

  for (const seed of seeds(1, 2300)) {
    it(`seed ${seed}: a restart that first sees another placement (membership not converged) keeps the presumption`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2', 'n3'] }, async (sim) => {
        const c = await rebalanceCluster(sim, OPTIONS);
        await settledEverywhere(c, ['n1', 'n2', 'n3']);
        await writeAll(c, '', 'v0');
        const settledAt = c.placement('n1').hash;
        c.crash('n3');
        await writeAll(c, 'n3', 'v1');
        // n3 restarts knowing n1 only (as gossip before it converges), cut off: it plans under that placement a while.
        sim.network.cut('n3', 'n1');
        sim.network.cut('n3', 'n2');
        await c.restart('n3', ['n2']);
        await sim.runFor(500);
        expect(c.rebalancer('n3').progress().placementHash).not.toBe(settledAt);
        c.tell('n2', 'n3');
        await sim.runFor(50);
        expect(c.rebalancer('n3').progress().placementHash).toBe(settledAt);
        expect(settledOnDisk(c, 'n3')).toBe(settledAt);
        sim.network.heal();
        expect(['n1', 'n2'].filter((x) => c.rebalancer('n3').holdings.view(x) !== undefined)).toEqual([]);
        expect(await readAll(c, 'n3')).toEqual(KEYS.map((key) => `${key}=v1`));
        await settledEverywhere(c, ['n1', 'n2', 'n3']);
        await c.stop();
      });
    });
  }

  for (const seed of seeds(1, 2400)) {
    it(`seed ${seed}: nor under a new placement where every replica already holds everything (settled at once)`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2', 'n3'], disk: 'faulty' }, async (sim) => {
        const c = await rebalanceCluster(sim, { rebalance: OPTIONS.rebalance });
        await settledEverywhere(c, ['n1', 'n2', 'n3']);
        const before = c.placement('n1').hash;
        const disk = sim.disk('n1') as FaultyFileSystem;
        for (let i = 0; i < 3; i++) disk.failNext('rename');
        // n1 alone hears of a later joinedAt for n2: the same three nodes in another order (N=3: each holds all).
        c.view('n1').add({ id: 'n2', address: 'n2', status: 'up', joinedAt: 1000 });
        expect(c.placement('n1').hash).not.toBe(before);
        let early = false;
        await sim.runUntil(() => {
          const { placementHash, settled } = c.rebalancer('n1').progress();
          early ||= settled && placementHash !== before && settledOnDisk(c, 'n1') === before;
          return settled && placementHash === c.placement('n1').hash;
        }, 60_000);
        expect(early).toBe(false);
        expect(settledOnDisk(c, 'n1')).toBeUndefined();
        await c.stop();
      });
    });
  }
});
