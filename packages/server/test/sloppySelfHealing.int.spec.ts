import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Sibling } from '@dynamis/core';
import { RingPartitioner } from '@dynamis/ring';
import { BOOT_MS, eventually, ProcessCluster } from './clusterHarness';
import { ReplicaProbe } from './replicaProbe';

const IDS = ['n1', 'n2', 'n3', 'n4', 'n5'] as const;
const VICTIM = 'n3';
/** Keys the load writes at least; it goes on (up to MAX_KEYS) until HINTS hints name the victim. */
const KEYS = 240;
const MAX_KEYS = 3000;
const HINTS = 30;
/** Acknowledged writes before the kill. */
const KILL_AT = 60;
const PARALLEL = 6;
const PARTITIONS = 16;
const N = 3;
const CONVERGE_MS = 60_000;

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const show = (siblings: readonly Sibling[]): string =>
  siblings.map((s) => `${s.value === null ? '(tombstone)' : Buffer.from(s.value).toString()}@${hex(s.version)}`).join(',') || '(none)';

/**
 * Self-healing with sloppy quorum across real processes: five
 * `dynamis-server` nodes (gossip, hinted handoff, `replication.sloppyQuorum`
 * on), N=3 W=2 R=2, engine-lsm, and anti-entropy installed with a scheduler
 * interval (10 min) longer than the test, so that only hints (and, at the
 * end, read repair) can bring n3 what it missed. A client load writes KEYS
 * keys; n3 is killed -9 during it; writes whose replica set holds n3 then go
 * to a fallback with a hint naming n3. The hints are counted on every node
 * (`hints.stats`, through ReplicaProbe) before n3 restarts; after the restart
 * every hint store empties, the delivered counters cover them, and n3's own
 * copy holds at least that many of the keys it missed — before any read and
 * with no anti-entropy exchange. Then every acknowledged key reads back at
 * R=2 and its N replicas end up with one and the same record (reads ask
 * every primary, `readFanout: 'all'`, so read repair reaches all of them).
 */
describe('self-healing with sloppy quorum: 5 real processes, one killed -9 under load, hints delivered on restart', () => {
  const cluster = new ProcessCluster([], {
    ids: IDS,
    config: {
      membership: 'gossip',
      membershipOptions: { probeIntervalMs: 500, probeTimeoutMs: 150, minTransitionMs: 500 },
      // Reads ask every primary: the end of the test counts on read repair reaching all N replicas of a key.
      replication: { n: N, w: 2, r: 2, sloppyQuorum: true, readFanout: 'all' },
      hintedHandoff: true,
      hintedHandoffOptions: { checkIntervalMs: 500 },
      antiEntropy: true,
      antiEntropyOptions: { intervalMs: 600_000 },
      ring: { partitions: PARTITIONS },
      timeouts: { requestMs: 5_000 },
    },
  });
  const running = new Set<string>(IDS);
  let probe: ReplicaProbe;

  beforeAll(async () => {
    await cluster.setup();
    probe = await ReplicaProbe.start();
    for (const id of IDS) probe.setAddress(id, cluster.address(id));
  }, 2 * BOOT_MS);
  afterAll(async () => {
    await probe?.stop();
    await cluster.teardown();
  });

  /** Hints naming the victim pending on the live nodes, summed. */
  async function pendingForVictim(): Promise<number> {
    let sum = 0;
    for (const id of IDS) if (id !== VICTIM) sum += (await probe.hintStats(id)).pending[VICTIM] ?? 0;
    return sum;
  }

  /** Puts `key` through live nodes until one acknowledges it; false if none does within a few tries. */
  async function write(key: string, value: string, attempt: number): Promise<boolean> {
    for (let t = 0; t < 5; t += 1) {
      const live = IDS.filter((id) => running.has(id));
      const via = live[(attempt + t) % live.length]!;
      try {
        const { acks } = await cluster.client(via).put(key, text(value));
        expect(acks).toBeGreaterThanOrEqual(2);
        return true;
      } catch {
        continue; // not acknowledged (the victim being killed, or not yet known down): try another node
      }
    }
    return false;
  }

  it(
    'stores hints naming the victim, delivers them all on its restart before any anti-entropy, and loses no acknowledged write',
    async () => {
      for (const id of IDS) await eventually(() => cluster.client(id).put(`ready/${id}`, text('ok')), BOOT_MS);

      const acked = new Map<string, string>();
      const writtenWhileDown = new Set<string>();
      let next = 0;
      let victimDown = false;
      let killing: Promise<void> | undefined;
      let hintsSeen = 0;
      let counting = false;
      // While the victim is down, every few writes count the hints naming it (every node's `hints.stats`), one ask at a time.
      const count = async (): Promise<void> => {
        if (counting) return;
        counting = true;
        try {
          hintsSeen = await pendingForVictim();
        } finally {
          counting = false;
        }
      };
      const worker = async (w: number): Promise<void> => {
        while ((next < KEYS || hintsSeen < HINTS) && next < MAX_KEYS) {
          const i = next++;
          const key = `sloppy/${i}`;
          const down = victimDown;
          if (await write(key, `v${i}`, i + w)) {
            acked.set(key, `v${i}`);
            if (down) writtenWhileDown.add(key);
          }
          if (down && i % 5 === 0) await count();
          if (acked.size >= KILL_AT && killing === undefined) {
            victimDown = true;
            running.delete(VICTIM);
            killing = cluster.kill(VICTIM);
          }
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, (_, w) => worker(w)));
      await killing;

      const hinted = await pendingForVictim(); // every hint naming n3, before it comes back (none delivered yet)
      const deliveredBefore = await totalDelivered();
      expect(hinted).toBeGreaterThanOrEqual(HINTS);
      await cluster.start(VICTIM);
      running.add(VICTIM);
      victimDown = false;
      probe.setAddress(VICTIM, cluster.address(VICTIM));

      // Delivery: every hint store empties of hints for n3, and the delivered counters cover them.
      await eventually(async () => expect(await pendingForVictim()).toBe(0), CONVERGE_MS);
      expect((await totalDelivered()) - deliveredBefore).toBeGreaterThanOrEqual(hinted);

      const ring = new RingPartitioner({ partitions: PARTITIONS });
      // The ring as the cluster builds it: from the members' gossiped history (joinedAt), not from the ids alone.
      const members = await eventually(() => probe.members('n1'));
      expect(members.map((m) => m.id).sort()).toEqual([...IDS]);
      const placement = ring.update(members);
      const keys = [...acked.keys()];
      const replicas = new Map(keys.map((k) => [k, placement.preferenceList(k, N)]));
      const missed = keys.filter((k) => writtenWhileDown.has(k) && replicas.get(k)!.includes(VICTIM));
      // Before any read (no read repair) and with no anti-entropy exchange: n3 holds the hinted keys.
      const onVictim = await probe.read(VICTIM, missed);
      const held = missed.filter((k, i) => onVictim[i]!.some((s) => s.value !== null && Buffer.from(s.value).toString() === acked.get(k)));
      expect(held.length).toBeGreaterThanOrEqual(hinted);

      // Every acknowledged write reads back at R=2 ...
      for (const [i, [key, value]] of [...acked].entries()) {
        const r = await eventually(() => cluster.client(IDS[i % IDS.length]!).get(key, { consistency: 2 }));
        expect({ key, values: r.values.map((b) => Buffer.from(b).toString()) }).toEqual({ key, values: [value] });
      }
      // ... and its N replicas agree (read repair covered what no hint did: writes before n3 was known down).
      let last: string[] = [];
      await eventually(async () => {
        last = await diverging(keys, replicas, acked);
        if (last.length > 0) throw new Error(`${last.length} keys still differ between replicas, e.g.\n${last.slice(0, 5).join('\n')}`);
      }, CONVERGE_MS);
      expect(last).toEqual([]);
    },
    3 * BOOT_MS + 2 * CONVERGE_MS,
  );

  async function totalDelivered(): Promise<number> {
    let sum = 0;
    for (const id of IDS) if (running.has(id)) sum += (await probe.hintStats(id)).delivered;
    return sum;
  }

  /** Keys whose N replicas do not each hold exactly the acknowledged value with one and the same version. */
  async function diverging(keys: string[], replicas: Map<string, readonly string[]>, acked: Map<string, string>): Promise<string[]> {
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
  }
});
