import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { closeSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { BOOT_MS, eventually, ProcessCluster } from './clusterHarness';
import { deleted, key, show, writeKeysThenDelete } from './damagedData';
import { ReplicaProbe } from './replicaProbe';

const IDS = ['n1', 'n2', 'n3'] as const;
const VICTIM = 'n3';
const KEYS = 300;
const REPAIR_MS = 60_000;

/**
 * damagedTable.int.spec.ts without the read: a byte flipped on disk in an
 * SSTable of a running node (after its start-up reads, and held whole in
 * memory as a resident table, so reads would not even see it) is found by
 * the node's background scrub (engine-lsm README, "Scrub";
 * `scrub.intervalMs` 1 s through `engineOptions`), with no read of that
 * node at all until it has quarantined the table and rebuilt the
 * partitions from n1 and n2. Three real `dynamis-server` processes
 * (gossip, so rebalance is on), N=3 W=2 R=2, anti-entropy and hinted
 * handoff off.
 */
describe('damaged SSTable nobody reads: 3 real processes, found by the scrub, repaired from replicas', () => {
  const cluster = new ProcessCluster([], {
    ids: IDS,
    config: {
      membership: 'gossip',
      membershipOptions: { probeIntervalMs: 500, probeTimeoutMs: 150, minTransitionMs: 500 },
      rebalanceOptions: { drainMs: 1_000, announceIntervalMs: 250, retryMs: 250 },
      ring: { partitions: 8 },
      engineOptions: { scrub: { intervalMs: 1_000 } },
      log: { level: 'info' }, // the scrub's pass report is a warning when it found damage
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
    'the scrub finds the damage, the partitions are rebuilt, n3 ends equal to n1 with no deleted key back',
    async () => {
      await writeKeysThenDelete(cluster, probe, IDS, KEYS, (i) => `v-${i}-${'x'.repeat(60)}`);

      const engineDir = join(cluster.dataDir(VICTIM), 'engine');
      await cluster.kill(VICTIM);
      await cluster.start(VICTIM); // the WAL replays into an SSTable
      const tables = readdirSync(engineDir).filter((n) => n.endsWith('.sst'));
      expect(tables).toHaveLength(1);
      const table = tables[0]!;
      const passes = (): string[] =>
        cluster
          .process(VICTIM)
          .stderr()
          .split('\n')
          .filter((l) => l.includes('engine-lsm scrub pass done'));
      // Up, and its start-up reads done (they open the table: the replica checks its layout, the rebalancer its
      // partitions): one scrub pass has read the table, undamaged.
      await eventually(async () => {
        expect(passes().some((l) => l.includes('"tables":1,'))).toBe(true);
        return true;
      });

      // Bit rot on the running node: one byte in the middle of the data blocks flipped in place on disk
      // (engine-lsm docs/format.md, footer: index, filter, properties handles).
      const path = join(engineDir, table);
      const bytes = readFileSync(path);
      const footer = bytes.length - 64;
      const filterSize = Number(bytes.readBigUInt64LE(footer + 24));
      const dataEnd = Math.min(
        Number(bytes.readBigUInt64LE(footer)),
        Number(bytes.readBigUInt64LE(footer + 32)),
        filterSize > 0 ? Number(bytes.readBigUInt64LE(footer + 16)) : footer,
      );
      expect(dataEnd).toBeGreaterThan(5 * 4096); // several data blocks
      const at = Math.floor(dataEnd / 2);
      const fd = openSync(path, 'r+');
      try {
        writeSync(fd, Buffer.from([bytes[at]! ^ 0xff]), 0, 1, at);
      } finally {
        closeSync(fd);
      }

      // No read of n3: only time passes until its scrub has reported the table and set it aside.
      await eventually(async () => {
        const found = passes().find((l) => l.includes(`${table}"`));
        if (found === undefined)
          throw new Error(`no scrub report of ${table} yet; n3 logged:\n${cluster.process(VICTIM).stderr().slice(-3000)}`);
        expect(found).toContain('"level":"warn"');
        expect(readdirSync(join(engineDir, 'quarantine'))).toEqual([table]);
        return true;
      }, REPAIR_MS);

      probe.setAddress(VICTIM, cluster.address(VICTIM));
      const keys = Array.from({ length: KEYS }, (_, i) => key(i));
      await eventually(async () => {
        const reference = await probe.read('n1', keys);
        const mine = await probe.read(VICTIM, keys); // refused (throws) while being rebuilt
        const diff = keys.filter((_, i) => show(mine[i]!) !== show(reference[i]!));
        if (diff.length > 0) throw new Error(`${diff.length} keys differ on ${VICTIM}, first ${diff[0]}`);
        return true;
      }, REPAIR_MS);
      const mine = await probe.read(VICTIM, keys);
      for (let i = 0; i < KEYS; i++) {
        expect(`${key(i)}: ${mine[i]!.some((s) => s.value === null) ? 'deleted' : 'live'}`).toBe(
          `${key(i)}: ${deleted(i) ? 'deleted' : 'live'}`,
        );
      }
    },
    3 * BOOT_MS,
  );
});
