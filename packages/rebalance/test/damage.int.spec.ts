import { describe, expect, it } from '@jest/globals';
import { isDynamisError, StorageEngineToken, type NodeId, type StorageEngine, type StoreBatchOp } from '@dynamis/core';
import type { LsmOptions } from '@dynamis/engine-lsm';
import { runSimulation, type FaultyFileSystem, type Simulation } from '@dynamis/testkit';
import { rebalanceCluster, seeds, type RebalanceCluster } from './simCluster';

/*
 * A flipped bit in an SSTable of one node (README, "Damaged data"): four
 * nodes (N=3, W=R=2, Q=16), engine-lsm on the simulated disk (no block cache,
 * no resident tables: every read goes to the file). Keys written, compacted
 * to the last level; then some deleted and some overwritten, flushed into a
 * newer table — on n1 that table holds the tombstones, with the older
 * values below it. One byte of its first data block is flipped through the
 * simulated FileSystem. Then, with the repair in place:
 * - reads at R=2 succeed from every coordinator (n1's copy fails over to
 *   the other replicas), and see no deleted key;
 * - n1 quarantines the table, stops serving the damaged partitions, drops
 *   their damaged range and streams them back in from a replica;
 * - writes made meanwhile are kept;
 * - afterwards every replica of every partition holds the same records, no
 *   deleted key has a live value anywhere, and n1 serves everything again.
 */

const KEYS = 400;
const deleted = (i: number): boolean => i % 4 === 0;
const overwritten = (i: number): boolean => i % 4 === 1;
const key = (i: number): string => `key-${String(i).padStart(4, '0')}`;

async function batch(c: RebalanceCluster, via: NodeId, ops: StoreBatchOp[]): Promise<void> {
  for (let at = 0; at < ops.length; at += 100) await c.sim.settle(c.coordinator(via).batch(ops.slice(at, at + 100), {}));
}

/** Every replica's record of every key of partition `p`, as a comparable string per node. */
async function recordsOf(c: RebalanceCluster, id: NodeId, p: number): Promise<string> {
  const out: string[] = [];
  for await (const [k, siblings] of c.replica(id).scan(p)) {
    out.push(
      `${k}=${siblings.map((s) => `${s.value === null ? 'DEL' : Buffer.from(s.value).toString()}@${JSON.stringify(s.version)}`).join('|')}`,
    );
  }
  return out.join('\n');
}

/** The cluster of the scenario above, with the byte flipped on n1 (nothing has read it yet). */
async function damagedCluster(sim: Simulation, lsm: LsmOptions = {}) {
  const c = await rebalanceCluster(sim, {
    engine: 'lsm',
    partitions: 16,
    lsm: { blockCacheBytes: 0, residentTableBytes: 0, blockBytes: 512, ...lsm },
    rebalance: { announceIntervalMs: 200, drainMs: 300, retryMs: 200 },
  });
  const ids: NodeId[] = ['n1', 'n2', 'n3', 'n4'];
  await sim.runUntil(() => c.quiet(ids), 60_000);
  const engine = (id: NodeId): StorageEngine => c.node(id).resolve(StorageEngineToken);

  await batch(
    c,
    'n2',
    Array.from({ length: KEYS }, (_, i) => ({ type: 'put', key: key(i), value: Buffer.from(`old-${i}`) })),
  );
  for (const id of ids) await sim.settle(engine(id).compactRange()); // the old values: last level
  await batch(
    c,
    'n3',
    Array.from({ length: KEYS }, (_, i) => i)
      .filter((i) => deleted(i) || overwritten(i))
      .map((i): StoreBatchOp => (deleted(i) ? { type: 'del', key: key(i) } : { type: 'put', key: key(i), value: Buffer.from(`new-${i}`) })),
  );
  // Flush the memtables only (a compaction of a range holding no table): the tombstones go to a level-0 table.
  for (const id of ids) await sim.settle(engine(id).compactRange({ gte: Buffer.from('z'), lt: Buffer.from('z\x01') }));
  const disk = sim.disk('n1') as FaultyFileSystem;
  const dir = '/data/n1/engine';
  const tables = disk.list(dir).filter((name) => name.endsWith('.sst'));
  const damagedTable = tables[tables.length - 1]!; // the newest: the flushed tombstones
  const streamedBefore = c.rebalancer('n1').progress().done;
  disk.corrupt(`${dir}/${damagedTable}`, 12);
  return { c, ids, engine, disk, dir, damagedTable, streamedBefore };
}

/** n1 rebuilt its damaged partitions: replicas equal, every key as `expected` says on every replica, the table kept. */
async function expectRebuilt(
  sim: Simulation,
  d: Awaited<ReturnType<typeof damagedCluster>>,
  expected: (i: number) => string | undefined,
): Promise<void> {
  const { c, ids, engine, disk, damagedTable, streamedBefore } = d;
  await sim.runUntil(() => c.quiet(ids) && c.replica('n1').unservedPartitions().size === 0, 600_000);
  expect(c.replica('n1').unservedPartitions().size).toBe(0);
  expect(c.quiet(ids)).toBe(true);
  expect(engine('n1').damaged()).toEqual([]);
  expect(c.rebalancer('n1').progress().done).toBeGreaterThan(streamedBefore); // it streamed partitions back in

  const placement = c.placement('n1');
  for (const { id: p } of placement.partitions) {
    const replicas = placement.preferenceList(p, c.n);
    const first = await recordsOf(c, replicas[0]!, p);
    for (const r of replicas.slice(1))
      expect(`partition ${p} on ${r}:\n${await recordsOf(c, r, p)}`).toBe(`partition ${p} on ${r}:\n${first}`);
  }
  for (let i = 0; i < KEYS; i++) {
    const p = placement.partitionOf(key(i));
    for (const r of placement.preferenceList(p, c.n)) {
      const live = (await sim.settle(c.replica(r).read(key(i)))).filter((s) => s.value !== null);
      expect(`${key(i)} on ${r}: ${live.map((s) => Buffer.from(s.value!).toString()).join(',') || undefined}`).toBe(
        `${key(i)} on ${r}: ${expected(i)}`,
      );
    }
  }
  expect(disk.exists(`/data/n1/engine/quarantine/${damagedTable}`)).toBe(true);
}

describe('simulation: a flipped bit in an SSTable is detected and repaired from replicas', () => {
  for (const seed of seeds(2, 1800)) {
    it(`seed ${seed}: reads fail over, the partitions are rebuilt, replicas converge, no deleted key comes back`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2', 'n3', 'n4'], disk: 'faulty' }, async (sim) => {
        const d = await damagedCluster(sim);
        const { c, ids, engine, disk, dir, damagedTable } = d;

        // n1's own copy, read directly (what a read at R=1 served by n1 would get): an error, or the current
        // record — never the old value below a lost tombstone or overwrite.
        let refused = 0;
        for (let i = 0; i < KEYS; i++) {
          if (
            !(deleted(i) || overwritten(i)) ||
            !c
              .placement('n1')
              .preferenceList(c.placement('n1').partitionOf(key(i)), c.n)
              .includes('n1')
          )
            continue;
          try {
            const live = (await sim.settle(c.replica('n1').read(key(i)))).filter((s) => s.value !== null);
            expect(`${key(i)}: ${live.map((s) => Buffer.from(s.value!).toString()).join(',') || undefined}`).toBe(
              `${key(i)}: ${deleted(i) ? undefined : `new-${i}`}`,
            );
          } catch (err) {
            if (!isDynamisError(err, 'UNAVAILABLE') && !isDynamisError(err, 'CORRUPTION')) throw err;
            refused++;
          }
        }
        expect(refused).toBeGreaterThan(0);

        // Reads from every coordinator: all succeed at R=2 while n1's copy is damaged, none sees a deleted key.
        for (let i = 0; i < KEYS; i++) {
          const got = await sim.settle(c.coordinator(ids[i % 4]!).get(key(i), {}));
          const expected = deleted(i) ? undefined : overwritten(i) ? `new-${i}` : `old-${i}`;
          expect(`${key(i)}=${got.found ? Buffer.from(got.siblings[0]!.value).toString() : undefined}`).toBe(`${key(i)}=${expected}`);
        }
        expect(engine('n1').stats().counters['quarantinedTables']).toBe(1);
        expect(disk.exists(`/data/n1/engine/quarantine/${damagedTable}`) || disk.exists(`${dir}/${damagedTable}`)).toBe(true);

        // Writes meanwhile (some to keys whose tombstone was lost on n1) are kept.
        await batch(
          c,
          'n1',
          Array.from({ length: 40 }, (_, i): StoreBatchOp => ({ type: 'put', key: key(i * 10 + 2), value: Buffer.from(`during-${i}`) })),
        );

        await expectRebuilt(sim, d, (i) =>
          i % 10 === 2 ? `during-${(i - 2) / 10}` : deleted(i) ? undefined : overwritten(i) ? `new-${i}` : `old-${i}`,
        );
        await c.stop();
      });
    }, 120_000);
  }
});

/*
 * The same damage in a table nobody reads (no client read, no coordinator
 * read): n1's background scrub (engine-lsm README, "Scrub") finds it on its
 * own schedule, and the same repair follows.
 */
describe('simulation: a flipped bit in a cold SSTable is found by the scrub and repaired from replicas', () => {
  const SCRUB_MS = 20_000;
  for (const seed of seeds(1, 1900)) {
    it(`seed ${seed}: no read at all; the scrub quarantines the table, the partitions are rebuilt, replicas converge`, async () => {
      await runSimulation({ seed, nodes: ['n1', 'n2', 'n3', 'n4'], disk: 'faulty' }, async (sim) => {
        const d = await damagedCluster(sim, { scrub: { intervalMs: SCRUB_MS, bytesPerSec: 1024 * 1024 } });
        const { c, ids, engine, disk, dir, damagedTable } = d;
        const n1 = (name: string): number => engine('n1').stats().counters[name]!;
        const before = { gets: n1('gets'), found: n1('scrubDamagedTables'), passes: n1('scrubPasses') };
        expect([before.found, n1('quarantinedTables')]).toEqual([0, 0]);

        // Only time passes: within one scrub interval (plus the pass) n1 has found the table, and rebuilt what it held.
        const found = sim.now() + SCRUB_MS + 5_000;
        await sim.runUntil(() => n1('scrubDamagedTables') === 1, SCRUB_MS + 5_000);
        expect(sim.now()).toBeLessThanOrEqual(found);
        expect([n1('scrubDamagedTables'), n1('quarantinedTables')]).toEqual([1, 1]);
        expect(n1('gets')).toBe(before.gets); // no point read on n1 meanwhile: the scrub found it
        expect(disk.exists(`${dir}/quarantine/${damagedTable}`) || disk.exists(`${dir}/${damagedTable}`)).toBe(true);

        await expectRebuilt(sim, d, (i) => (deleted(i) ? undefined : overwritten(i) ? `new-${i}` : `old-${i}`));
        expect(n1('scrubPasses')).toBeGreaterThan(before.passes);
        expect(ids.every((id) => engine(id).damaged().length === 0)).toBe(true);
        await c.stop();
      });
    }, 120_000);
  }
});
