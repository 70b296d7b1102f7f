import { describe, expect, it } from '@jest/globals';
import { liveValues, type NodeId, type Sibling } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { seeds, simCluster, type SimCluster } from './simCluster';

/*
 * Anti-entropy alone heals divergence (issue 11, "Must show"): replicas made
 * to diverge by writes and deletes during network partitions (W=1, no reads,
 * so no read repair, no hints) become equal, with equal roots, and no deleted
 * key comes back (under LWW: every key reads as its last write or delete;
 * under vector clocks, which keep concurrent writes as siblings: the last
 * write is among the live values). Seeds: 3 (LWW) + 1 (vclock) by default;
 * DYNAMIS_AE_SEEDS=<count> runs that many of each, DYNAMIS_SEED=<seed>
 * replays the one a failure prints.
 */

const text = (s: { readonly value: Uint8Array | null }): string => Buffer.from(s.value!).toString();
const describeRecord = (r: Sibling[]) => r.map((s) => [Buffer.from(s.version).toString('hex'), s.value === null ? null : text(s)]);

/** Every partition's replicas hold equal roots. */
function rootsMatch(c: SimCluster, n: number): boolean {
  const placement = c.placement('n1');
  for (const { id } of placement.partitions) {
    const [first, ...rest] = placement.preferenceList(id, n);
    const root = Buffer.from(c.ae(first!).root(id));
    if (rest.some((peer) => Buffer.compare(root, c.ae(peer).root(id)) !== 0)) return false;
  }
  return true;
}

describe('simulation: anti-entropy alone makes diverged replicas equal', () => {
  const runs = [
    ...seeds(3, 1100).map((seed) => ({ seed, resolver: 'lww' as const })),
    ...seeds(1, 1150).map((seed) => ({ seed, resolver: 'vclock' as const })),
  ];
  for (const { seed, resolver } of runs) {
    it(`seed ${seed} (${resolver}): writes and deletes during two partitions, then anti-entropy only`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2', 'n3', 'n4'] }, async (sim) => {
        const n = 3;
        const c = await simCluster(sim, { n, partitions: 16, resolver, antiEntropy: { intervalMs: 50, exchangeTimeoutMs: 1000 } });
        const written = new Set<string>();
        const random = sim.random('n1').fork('workload');
        /** The last operation on each key, in (virtual) time order: its value, or null for a delete. */
        const model = new Map<string, string | null>();
        const keyCount = 120;
        const op = async (i: number): Promise<void> => {
          const key = `key-${random.int(keyCount)}`;
          const prefs = c.placement('n1').preferenceList(key, n);
          const via: NodeId = prefs[random.int(prefs.length)]!;
          const del = model.has(key) && random.next() < 0.35;
          const coordinator = c.coordinator(via);
          if (del) await c.run(coordinator.delete(key, { consistency: 1 }));
          else await c.run(coordinator.put(key, Buffer.from(`v${i}@${via}`), { consistency: 1 }));
          model.set(key, del ? null : `v${i}@${via}`);
          if (!del) written.add(`v${i}@${via}`);
          await sim.runFor(5);
        };
        for (let i = 0; i < 60; i++) await op(i);
        sim.network.partition([
          ['n1', 'n2'],
          ['n3', 'n4'],
        ]);
        for (let i = 60; i < 200; i++) await op(i);
        sim.network.partition([
          ['n1', 'n3'],
          ['n2', 'n4'],
        ]);
        for (let i = 200; i < 340; i++) await op(i);
        sim.network.heal();
        expect(rootsMatch(c, n)).toBe(false); // the partitions left replicas that differ

        const healedAt = sim.now();
        for (let t = 0; t < 600 && !rootsMatch(c, n); t++) await sim.runFor(1000);
        expect(rootsMatch(c, n)).toBe(true);

        const placement = c.placement('n1');
        let deleted = 0;
        for (const [key, expected] of model) {
          const replicas = placement.preferenceList(key, n);
          const records = await Promise.all(replicas.map((id) => c.replica(id).read(key)));
          for (let i = 1; i < records.length; i++) {
            expect({ key, node: replicas[i], record: describeRecord(records[i]!) }).toEqual({
              key,
              node: replicas[i],
              record: describeRecord(records[0]!),
            });
          }
          const live = liveValues(records[0]!, sim.clock('n1').now()).map(text);
          if (expected === null) deleted++;
          if (resolver === 'lww') expect({ key, live }).toEqual({ key, live: expected === null ? [] : [expected] });
          else {
            // Vector clocks keep concurrent writes as siblings: a delete removes only what its coordinator had seen.
            if (expected !== null) expect(live).toContain(expected);
            for (const v of live) expect(written.has(v)).toBe(true);
          }
        }
        expect(deleted).toBeGreaterThan(0);
        const repaired = c.ids.reduce((sum, id) => sum + c.ae(id).stats().keysSent, 0);
        expect(repaired).toBeGreaterThan(0);
        console.log(
          `seed ${seed} (${resolver}): ${model.size} keys (${deleted} deleted), roots equal ≤ ${sim.now() - healedAt} ms (virtual) after the heal, ` +
            `${repaired} keys sent by anti-entropy`,
        );
        await c.stop();
      });
    });
  }
});
