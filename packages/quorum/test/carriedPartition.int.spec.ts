import { afterEach, describe, expect, it } from '@jest/globals';
import { partitionOfKey, ReplicaToken, type PartitionId } from '@dynamis/core';
import { runSimulation } from '@dynamis/testkit';
import { bytes, simCluster, type SimCluster } from './simCluster';

let cluster: SimCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

/** simCluster's ring: 64 partitions. */
const Q = 64;

describe('quorum coordinator: one key hash per request', () => {
  it("sends the key's partition with every replica read and write, local and remote, so no replica hashes the key", async () => {
    await runSimulation(12, async (sim) => {
      const c = (cluster = await simCluster(sim));
      // What each replica was asked, with the partition that came with the key (undefined: it would hash the key).
      const seen: Array<[string, string, PartitionId | undefined]> = [];
      for (const id of c.ids) {
        const replica = c.node(id).resolve(ReplicaToken);
        const read = replica.read.bind(replica);
        const apply = replica.apply.bind(replica);
        const applyMany = replica.applyMany.bind(replica);
        replica.read = (key, partition) => (seen.push([id, key, partition]), read(key, partition));
        replica.apply = (key, s, partition) => (seen.push([id, key, partition]), apply(key, s, partition));
        replica.applyMany = (entries) => {
          for (const e of entries) seen.push([id, e.key, e.partition]);
          return applyMany(entries);
        };
      }
      const keys = ['a', 'b', 'c', 'd'];
      await c.run(Promise.all(keys.map((k) => c.coordinator('n1').put(k, bytes(k), {}))));
      await c.run(Promise.all(keys.map((k) => c.coordinator('n2').get(k, {}))));
      await sim.runFor(100);
      const calls = seen.filter(([, key]) => keys.includes(key));
      expect(calls.length).toBeGreaterThanOrEqual(keys.length * 4);
      expect(new Set(calls.map(([id]) => id)).size).toBe(3);
      for (const [, key, partition] of calls) expect(partition).toBe(partitionOfKey(key, Q));
    });
  });
});
