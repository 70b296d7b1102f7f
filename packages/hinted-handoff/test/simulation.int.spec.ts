import { afterEach, describe, expect, it } from '@jest/globals';
import { sloppyPlan, type NodeId, type Sibling } from '@dynamis/core';
import { runSimulation, type Simulation } from '@dynamis/testkit';
import { hintCluster, seeds, type HintCluster } from './simCluster';

const IDS = ['n1', 'n2', 'n3', 'n4', 'n5'];
const DOWN = ['n4', 'n5'];
const KEYS = 150;
const N = 3;
const text = (s: Sibling): string | null => (s.value === null ? null : Buffer.from(s.value).toString());

let cluster: HintCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

interface Written {
  readonly key: string;
  readonly value: string;
  readonly primaries: readonly NodeId[];
  /** Down primary → the node holding its hint. */
  readonly holders: ReadonlyMap<NodeId, NodeId>;
}

/**
 * With n4 and n5 down, writes every key as a sloppy-quorum coordinator would:
 * to its live primaries through the replica protocol, and for each down
 * primary a hint on the next live fallback node not already used for the key
 * (core's sloppyPlan), through the hint protocol (`hints.store`, PeerRpc from
 * the coordinator).
 * Returns what was written and how many hints each node holds.
 */
async function writeWithHints(sim: Simulation, c: HintCluster): Promise<{ written: Written[]; hints: Map<NodeId, number> }> {
  const written: Written[] = [];
  const hints = new Map<NodeId, number>();
  const random = sim.random('n1');
  for (let i = 0; i < KEYS; i++) {
    const key = `key-${i}`;
    const value = `v${i}:${random.int(1_000_000)}`;
    const coordinator = IDS[random.int(3)]!;
    const sibling = c.sibling(coordinator, value);
    const primaries = c.placement.preferenceList(key, N);
    const plan = sloppyPlan(primaries, c.placement.fallbacks(key, N), (id) => !DOWN.includes(id), coordinator);
    expect(plan.uncovered).toEqual([]);
    for (const p of plan.primaries) await run(sim, c.replicas(coordinator).write(p, key, [sibling]));
    const holders = new Map<NodeId, NodeId>();
    for (const { holder, target } of plan.hinted) {
      await run(sim, c.storeHint(coordinator, holder, target, key, [sibling]));
      hints.set(holder, (hints.get(holder) ?? 0) + 1);
      holders.set(target, holder);
    }
    written.push({ key, value, primaries, holders });
  }
  return { written, hints };
}

/** Runs virtual time until `p` settles. */
function run<T>(sim: Simulation, p: Promise<T>): Promise<T> {
  return sim.settle(p);
}

const pendingTotal = (c: HintCluster): number =>
  c.live().reduce((n, id) => n + Object.values(c.hints(id).stats().pending).reduce((a, b) => a + b, 0), 0);

/** Every primary holds every key's value; every hint store is empty, nothing dropped. */
async function expectDelivered(c: HintCluster, written: readonly Written[]): Promise<void> {
  for (const { key, value, primaries } of written) {
    for (const p of primaries) expect([p, key, (await c.stored(p, key)).map(text)]).toEqual([p, key, [value]]);
  }
  for (const id of c.live()) expect([id, c.hints(id).stats()]).toMatchObject([id, { pending: {}, dropped: 0 }]);
}

describe('hinted handoff: 5 simulated nodes, N=3, n4 and n5 down while keys are written', () => {
  it.each(seeds(4, 1100))('seed %i: after they return every hint is delivered and applied, and the stores end empty', async (seed) => {
    await runSimulation({ seed, nodes: IDS }, async (sim) => {
      const c = (cluster = await hintCluster(sim, { checkIntervalMs: 1000, batchSize: 16, maxBytesPerSecond: 32 * 1024 }));
      for (const id of DOWN) c.crash(id);
      const { written, hints } = await writeWithHints(sim, c);
      const total = [...hints.values()].reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(KEYS / 2);
      expect(pendingTotal(c)).toBe(total);
      // nothing is delivered while the targets are down, however long
      await sim.runFor(30_000);
      expect(pendingTotal(c)).toBe(total);
      for (const id of DOWN) await c.restart(id);
      await sim.runUntil(() => pendingTotal(c) === 0, 300_000);
      await expectDelivered(c, written);
      const delivered = c.live().reduce((n, id) => n + c.hints(id).stats().delivered, 0);
      expect(delivered).toBe(total);
    });
  });

  it.each(seeds(3, 1300))(
    'seed %i: with 20%% of messages lost and 5%% duplicated during delivery, every hint still arrives once the link is clean',
    async (seed) => {
      await runSimulation({ seed, nodes: IDS }, async (sim) => {
        const c = (cluster = await hintCluster(sim, { checkIntervalMs: 1000, batchSize: 8 }));
        for (const id of DOWN) c.crash(id);
        const { written, hints } = await writeWithHints(sim, c);
        const total = [...hints.values()].reduce((a, b) => a + b, 0);
        sim.network.setFaults({ dropProbability: 0.2, duplicateProbability: 0.05 });
        for (const id of DOWN) await c.restart(id);
        await sim.runFor(20_000);
        // batches whose request or reply was lost failed and were kept: nothing was deleted unacknowledged
        const failures = c.live().reduce((n, id) => n + c.delivery(id).stats().failures, 0);
        expect(failures).toBeGreaterThan(0);
        sim.network.setFaults({ dropProbability: 0, duplicateProbability: 0 });
        await sim.runUntil(() => pendingTotal(c) === 0, 300_000);
        await expectDelivered(c, written);
        expect(c.live().reduce((n, id) => n + c.hints(id).stats().delivered, 0)).toBe(total);
      });
    },
  );

  it.each(seeds(4, 1200))('seed %i: a hinting node crashed and restarted before delivery still delivers every hint', async (seed) => {
    await runSimulation({ seed, nodes: IDS }, async (sim) => {
      const c = (cluster = await hintCluster(sim, { checkIntervalMs: 1000, batchSize: 16 }));
      for (const id of DOWN) c.crash(id);
      const { written, hints } = await writeWithHints(sim, c);
      const holder = [...hints.entries()].sort((a, b) => b[1] - a[1])[0]![0];
      c.crash(holder);
      for (const id of DOWN) await c.restart(id);
      await sim.runUntil(() => pendingTotal(c) === 0, 300_000);
      // the other holders delivered; the crashed holder's hints wait on its disk
      for (const { key, holders } of written) {
        for (const [target, by] of holders)
          expect([target, key, (await c.stored(target, key)).length > 0]).toEqual([target, key, by !== holder]);
      }
      await sim.runFor(5_000);
      await c.restart(holder);
      expect(c.hints(holder).stats().pending).not.toEqual({});
      await sim.runUntil(() => pendingTotal(c) === 0, 300_000);
      await expectDelivered(c, written);
    });
  });
});
