import { describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { CoordinatorToken, createNode, ReplicaToken, StorageEngineToken, type DynamisNode, type NodeId } from '@dynamis/core';
import { lsmEngine } from '@dynamis/engine-lsm';
import { ringPartitioner } from '@dynamis/ring';
import { fixedMembership, FixedMembership, runSimulation, simulatedEnvironment, type FaultyFileSystem } from '@dynamis/testkit';
import { quorumCoordinator } from '../src';

/*
 * Damaged data on a node without a Rebalancer (rebalance README, "Damaged
 * data"; core DamagedPartitions): nothing streams the partitions back, so
 * the kernel has the Replica serve them again as soon as the damaged range
 * is deleted, and read repair restores what it lost. Three nodes (N=3,
 * W=R=2), engine-lsm on the simulated disk; a byte flipped in n1's newest
 * table. Reads at R=2 stay right throughout; n1's copy is emptied of the
 * damaged range, served again, and repaired by the reads (readFanout 'all':
 * the test is about reads through n2 repairing n1, which a read asking only
 * R replicas would not always ask).
 */
const KEYS = 120;
const key = (i: number): string => `key-${String(i).padStart(4, '0')}`;

describe('simulation: damaged data on a node without a Rebalancer', () => {
  it('is served again once its range is deleted, and read repair restores it', async () => {
    await runSimulation({ seed: 1900, nodes: ['n1', 'n2', 'n3'], disk: 'faulty' }, async (sim) => {
      const ids = sim.nodeIds();
      const members = ids.map((id) => ({ id, address: id, status: 'up' as const }));
      const nodes = new Map<NodeId, DynamisNode>();
      for (const id of ids) {
        const node = await createNode(
          { nodeId: id, dataDir: `/data/${id}`, log: { level: 'silent' }, replication: { n: 3, w: 2, r: 2, readFanout: 'all' } },
          [
            simulatedEnvironment(sim, id),
            lsmEngine({ fsync: 'none', memtableBytes: 64 * 1024, blockCacheBytes: 0, residentTableBytes: 0, blockBytes: 512 }),
            lwwResolver(),
            ringPartitioner({ partitions: 16 }),
            fixedMembership(new FixedMembership(id, members)),
            quorumCoordinator(),
          ],
        );
        await node.start();
        nodes.set(id, node);
      }
      const coordinator = (id: NodeId) => nodes.get(id)!.resolve(CoordinatorToken);
      const replica = (id: NodeId) => nodes.get(id)!.resolve(ReplicaToken);
      const engine = nodes.get('n1')!.resolve(StorageEngineToken);

      for (let i = 0; i < KEYS; i++) await sim.settle(coordinator('n2').put(key(i), Buffer.from(`v-${i}`), {}));
      await sim.settle(engine.compactRange());
      const disk = sim.disk('n1') as FaultyFileSystem;
      const tables = disk.list('/data/n1/engine').filter((n) => n.endsWith('.sst'));
      disk.corrupt(`/data/n1/engine/${tables[tables.length - 1]!}`, 12);

      const readAll = async (): Promise<void> => {
        for (let i = 0; i < KEYS; i++) {
          const got = await sim.settle(coordinator('n2').get(key(i), {}));
          expect(`${key(i)}=${got.found ? Buffer.from(got.siblings[0]!.value).toString() : 'none'}`).toBe(`${key(i)}=v-${i}`);
        }
      };
      await readAll(); // n1's read of the damaged block fails; R=2 is met by n2 and n3
      expect(engine.stats().counters['quarantinedTables']).toBe(1);
      await sim.runUntil(() => engine.damaged().length === 0 && replica('n1').unservedPartitions().size === 0, 60_000);
      expect(replica('n1').unservedPartitions().size).toBe(0);

      await readAll(); // read repair writes the reconciled record to n1, which answered nothing
      await sim.runFor(5_000);
      for (let i = 0; i < KEYS; i++) {
        const mine = (await sim.settle(replica('n1').read(key(i)))).map((s) => Buffer.from(s.value ?? []).toString());
        expect(`${key(i)}: ${mine.join(',')}`).toBe(`${key(i)}: v-${i}`);
      }
      for (const node of nodes.values()) await node.stop();
    });
  }, 60_000);
});
