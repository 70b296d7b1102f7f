import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOOT_MS, eventually, ProcessCluster } from './clusterHarness';
import { deleted, key, show, writeKeysThenDelete } from './damagedData';
import { ReplicaProbe } from './replicaProbe';

const IDS = ['n1', 'n2', 'n3'] as const;
const VICTIM = 'n3';
const KEYS = 200;
const PARTITIONS = 16;
const REPAIR_MS = 90_000;

/**
 * A flipped byte in an SSTable of a stopped node, across real processes
 * (engine-lsm README, "Damaged tables"; rebalance README, "Damaged data"):
 * three `dynamis-server` nodes (gossip, rebalance by default, anti-entropy
 * and hinted handoff off: only the repair path can restore the data), N=3
 * W=2 R=2 (so n3 replicates every key). KEYS keys are written, then every 4th deleted. n3 is killed -9
 * and restarted, which replays its WAL into an SSTable; killed again, one
 * byte of that table's first data block is flipped on disk, and it is
 * restarted. Reading n3's own copy (replica protocol) finds the damage;
 * n3 quarantines the table and rebuilds the partitions from n1 and n2.
 * Then n3's own copy of every key equals n1's (the tombstones included),
 * the table is kept under quarantine/, and every key reads back right at
 * R=2 through n3.
 */
describe('damaged SSTable: 3 real processes, a byte flipped on a stopped node, repaired from replicas', () => {
  const cluster = new ProcessCluster([], {
    ids: IDS,
    config: {
      membership: 'gossip',
      membershipOptions: { probeIntervalMs: 500, probeTimeoutMs: 150, minTransitionMs: 500 },
      rebalanceOptions: { drainMs: 2_000, announceIntervalMs: 250, retryMs: 250 },
      ring: { partitions: PARTITIONS },
      timeouts: { requestMs: 2_000 },
    },
  });
  let probe: ReplicaProbe;

  beforeAll(async () => {
    await cluster.setup();
    probe = await ReplicaProbe.start();
  }, 2 * BOOT_MS);
  afterAll(async () => {
    await probe?.stop();
    await cluster.teardown();
  });

  it(
    'detects the damage, rebuilds the partitions, and every replica ends equal with no deleted key back',
    async () => {
      await writeKeysThenDelete(cluster, probe, IDS, KEYS, (i) => `v-${i}`);

      const engineDir = join(cluster.dataDir(VICTIM), 'engine');
      await cluster.kill(VICTIM);
      await cluster.start(VICTIM); // the WAL replays into an SSTable
      await cluster.kill(VICTIM);
      const tables = readdirSync(engineDir).filter((n) => n.endsWith('.sst'));
      expect(tables.length).toBeGreaterThan(0);
      const table = tables[tables.length - 1]!;
      const bytes = readFileSync(join(engineDir, table));
      bytes[12]! ^= 0xff; // inside the first data block
      writeFileSync(join(engineDir, table), bytes);
      await cluster.start(VICTIM);
      probe.setAddress(VICTIM, cluster.address(VICTIM));

      const keys = Array.from({ length: KEYS }, (_, i) => key(i));

      // Reading n3's own copy finds the damage (an error now, never old data); then it rebuilds.
      await eventually(async () => {
        const reference = await probe.read('n1', keys);
        const mine = await probe.read(VICTIM, keys); // refused (throws) while damaged or being rebuilt
        const diff = keys.filter((_, i) => show(mine[i]!) !== show(reference[i]!));
        if (diff.length > 0) throw new Error(`${diff.length} keys differ on ${VICTIM}, first ${diff[0]}`);
        return true;
      }, REPAIR_MS);
      expect(readdirSync(join(engineDir, 'quarantine'))).toEqual([table]);
      const mine = await probe.read(VICTIM, keys);
      for (let i = 0; i < KEYS; i++) {
        expect(`${key(i)}: ${mine[i]!.some((s) => s.value === null) ? 'deleted' : 'live'}`).toBe(
          `${key(i)}: ${deleted(i) ? 'deleted' : 'live'}`,
        );
        const got = await eventually(() => cluster.client(VICTIM).get(key(i)));
        expect(`${key(i)}=${got.found ? Buffer.from(got.siblings[0]!.value).toString() : 'none'}`).toBe(
          `${key(i)}=${deleted(i) ? 'none' : `v-${i}`}`,
        );
      }
    },
    5 * BOOT_MS,
  );
});
