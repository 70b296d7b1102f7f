import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Sibling } from '@dynamis/core';
import { RingPartitioner } from '@dynamis/ring';
import { BOOT_MS, eventually, ProcessCluster } from './clusterHarness';
import { ReplicaProbe } from './replicaProbe';

const IDS = ['n1', 'n2', 'n3', 'n4', 'n5'] as const;
const VICTIM = 'n3';
const KEYS = 300;
/** Acknowledged writes before the kill, and before the restart (the load goes on meanwhile). */
const KILL_AT = 80;
const RESTART_AT = 200;
const PARALLEL = 6;
const PARTITIONS = 16;
const N = 3;
const CONVERGE_MS = 90_000;

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const show = (siblings: readonly Sibling[]): string =>
  siblings.map((s) => `${s.value === null ? '(tombstone)' : Buffer.from(s.value).toString()}@${hex(s.version)}`).join(',') || '(none)';

/**
 * Self-healing across real processes: five `dynamis-server` nodes with the
 * cluster defaults (gossip membership, hinted handoff and anti-entropy on;
 * here a short anti-entropy interval and 16 partitions so a repair cycle
 * is seconds), N=3 W=2 R=2, engine-lsm. A client load writes KEYS keys
 * through the live nodes; n3 is killed -9 during the load and restarted
 * during it. Then, before any client read (so read repair cannot do it):
 * every acknowledged key is held, with one and the same record, by each of
 * its N replicas — read from each replica's own copy through the replica
 * protocol (ReplicaProbe) — which for the keys written while n3 was down
 * only anti-entropy brings to n3 (the quorum coordinator has no sloppy
 * quorum yet, so no hint names n3). Finally every acknowledged key reads
 * back at R=2.
 */
describe('self-healing: 5 real processes, gossip + hinted handoff + anti-entropy, one killed -9 under load', () => {
  const cluster = new ProcessCluster([], {
    ids: IDS,
    config: {
      membership: 'gossip',
      membershipOptions: { probeIntervalMs: 500, probeTimeoutMs: 150, minTransitionMs: 500 },
      hintedHandoff: true,
      hintedHandoffOptions: { checkIntervalMs: 500 },
      antiEntropy: true,
      antiEntropyOptions: { intervalMs: 20 },
      ring: { partitions: PARTITIONS },
      timeouts: { requestMs: 5_000 },
    },
  });
  const running = new Set<string>(IDS);
  let probe: ReplicaProbe;

  beforeAll(async () => {
    await cluster.setup();
    probe = await ReplicaProbe.start();
  }, 2 * BOOT_MS);
  afterAll(async () => {
    await probe?.stop();
    await cluster.teardown();
  });

  /** Puts `key` through live nodes (another one after a failure) until one acknowledges it; false if none does within a few tries. */
  async function write(key: string, value: string, attempt: number): Promise<boolean> {
    for (let t = 0; t < 5; t += 1) {
      const live = IDS.filter((id) => running.has(id));
      const via = live[(attempt + t) % live.length]!;
      let acks: number;
      try {
        acks = (await cluster.client(via).put(key, text(value))).acks;
      } catch {
        continue; // not acknowledged (node being killed, or a replica not yet known down): try another node
      }
      expect(acks).toBeGreaterThanOrEqual(2);
      return true;
    }
    return false;
  }

  it(
    'loses no acknowledged write, converges every replica by anti-entropy, and reads every key back at R=2',
    async () => {
      for (const id of IDS) await eventually(() => cluster.client(id).put(`ready/${id}`, text('ok')), BOOT_MS);

      const acked = new Map<string, string>();
      const writtenWhileDown = new Set<string>();
      let next = 0;
      let killed = false;
      let victimDown = false;
      let lifecycle: Promise<void> = Promise.resolve();
      const worker = async (w: number): Promise<void> => {
        while (next < KEYS) {
          const i = next++;
          const key = `load/${i}`;
          const down = victimDown;
          if (await write(key, `v${i}`, i + w)) {
            acked.set(key, `v${i}`);
            if (down && victimDown) writtenWhileDown.add(key);
          }
          if (acked.size >= KILL_AT && !killed) {
            killed = true;
            victimDown = true;
            running.delete(VICTIM);
            lifecycle = cluster.kill(VICTIM);
          } else if (acked.size >= RESTART_AT && victimDown) {
            victimDown = false;
            lifecycle = lifecycle.then(async () => {
              await cluster.start(VICTIM);
              running.add(VICTIM);
            });
          }
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, (_, w) => worker(w)));
      await lifecycle;
      expect(running.has(VICTIM)).toBe(true);
      expect(acked.size).toBeGreaterThan(KEYS * 0.9);

      for (const id of IDS) probe.setAddress(id, cluster.address(id));
      const ring = new RingPartitioner({ partitions: PARTITIONS });
      // The ring as the cluster builds it: from the members' gossiped history (joinedAt), not from the ids alone.
      const members = await eventually(() => probe.members('n1'));
      expect(members.map((m) => m.id).sort()).toEqual([...IDS]);
      const placement = ring.update(members);
      const keys = [...acked.keys()];
      const replicas = new Map(keys.map((k) => [k, placement.preferenceList(k, N)]));
      const missed = keys.filter((k) => writtenWhileDown.has(k) && replicas.get(k)!.includes(VICTIM));
      expect(missed.length).toBeGreaterThan(10); // the scenario: keys n3 must get from its peers

      // Every replica's own copy: one sibling, the acknowledged value, the same version on all N.
      const diverging = async (): Promise<string[]> => {
        const held = new Map<string, Sibling[][]>();
        for (const id of IDS) held.set(id, await probe.read(id, keys));
        const bad: string[] = [];
        keys.forEach((key, i) => {
          const copies = replicas.get(key)!.map((id) => ({ id, siblings: held.get(id)![i]! }));
          const first = copies[0]!.siblings;
          const ok = copies.every(
            (c) =>
              c.siblings.length === 1 &&
              c.siblings[0]!.value !== null &&
              Buffer.from(c.siblings[0]!.value).toString() === acked.get(key) &&
              hex(c.siblings[0]!.version) === hex(first[0]?.version ?? new Uint8Array()),
          );
          if (!ok) bad.push(`${key}: ${copies.map((c) => `${c.id}=${show(c.siblings)}`).join(' ')}`);
        });
        return bad;
      };
      let last: string[] = [];
      await eventually(async () => {
        last = await diverging();
        if (last.length > 0) throw new Error(`${last.length} keys still differ between replicas, e.g.\n${last.slice(0, 5).join('\n')}`);
      }, CONVERGE_MS);
      expect(last).toEqual([]);

      // Only now read through the coordinator: every acknowledged write, at R=2.
      for (const [i, [key, value]] of [...acked].entries()) {
        const r = await eventually(() => cluster.client(IDS[i % IDS.length]!).get(key, { consistency: 2 }));
        expect({ key, values: r.values.map((b) => Buffer.from(b).toString()) }).toEqual({ key, values: [value] });
      }
    },
    3 * BOOT_MS + CONVERGE_MS,
  );
});
