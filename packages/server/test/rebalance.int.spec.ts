import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamisClient } from '@dynamis/client';
import { ADMIN_MESSAGE, ADMIN_REPLY, adminStatusSchema, type Sibling } from '@dynamis/core';
import { RingPartitioner } from '@dynamis/ring';
import { adminRequest } from './adminRequest';
import { BOOT_MS, eventually, freePort, ProcessCluster } from './clusterHarness';
import { ReplicaProbe } from './replicaProbe';
import { CLIENT_TOKEN, startServerProcess, type ServerProcess } from './serverProcess';

const IDS = ['n1', 'n2', 'n3'] as const;
const JOINER = 'n4';
const PARTITIONS = 16;
const N = 3;
const BEFORE = 300;
const DURING = 100;
const PARALLEL = 6;
const ARRIVE_MS = 120_000;

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const admin = adminRequest;

/** Whether the node at `address` reports its rebalancer settled (`dynamis status` asks the same). */
async function settled(address: string): Promise<boolean> {
  return adminStatusSchema.parse((await admin(address, ADMIN_MESSAGE.status, {})).payload).rebalance?.settled === true;
}
const hostPort = (address: string): string => address.replace(/^ws:\/\//, '');

/**
 * Rebalancing across real processes: three `dynamis-server` nodes (gossip,
 * rebalance composed by default; hinted handoff and anti-entropy off, so
 * only the rebalancer can move data), N=3 W=2 R=2, engine-lsm, loaded with
 * BEFORE keys. n4 then joins through gossip while DURING more keys are
 * written. Its data arrives: every acknowledged key n4 replicates under the
 * four-node placement is found in n4's own copy (read through the replica
 * protocol, no quorum, no read repair), and a node that no longer
 * replicates a key drops it; every acknowledged key reads back at R=2
 * through n4. Then n3 leaves for good (`client.admin.leave`, what `dynamis
 * leave n3` sends): it hands its partitions off and its process exits 0 by
 * itself; every acknowledged key is then on at least W=2 of its replicas
 * among n1, n2, n4 and reads back at R=2.
 */
describe('rebalance: a node joins a loaded cluster of 3 real processes', () => {
  const cluster = new ProcessCluster([], {
    ids: IDS,
    config: {
      membership: 'gossip',
      membershipOptions: { probeIntervalMs: 500, probeTimeoutMs: 150, minTransitionMs: 500 },
      rebalanceOptions: { drainMs: 4_000, announceIntervalMs: 250 },
      ring: { partitions: PARTITIONS },
      timeouts: { requestMs: 2_000 },
    },
  });
  let probe: ReplicaProbe;
  let joiner: ServerProcess | undefined;
  let client: DynamisClient | undefined;

  beforeAll(async () => {
    await cluster.setup();
    probe = await ReplicaProbe.start();
  }, 2 * BOOT_MS);
  afterAll(async () => {
    await client?.close();
    await joiner?.dispose();
    await probe?.stop();
    await cluster.teardown();
  });

  it(
    "streams the joiner's partitions to it under a write load, then hands a leaver's off before it exits; every acknowledged key reads back at R=2",
    async () => {
      for (const id of IDS) await eventually(() => cluster.client(id).put(`ready/${id}`, text('ok')), BOOT_MS);
      const acked = new Map<string, string>();
      let next = 0;
      const load = async (until: number, w: number): Promise<void> => {
        while (next < until) {
          const i = next++;
          const key = `load/${i}`;
          const value = `v${i}`.padEnd(200, '.');
          await eventually(() => cluster.client(IDS[(i + w) % IDS.length]!).put(key, text(value)));
          acked.set(key, value);
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, (_, w) => load(BEFORE, w)));
      // Join once the founders hold their partitions (the package README's "founding window").
      for (const id of IDS) await eventually(async () => expect(await settled(cluster.address(id))).toBe(true), ARRIVE_MS);

      const port = await freePort();
      const seeds = IDS.map((id) => `${id}@${hostPort(cluster.address(id))}`);
      const config = {
        nodeId: JOINER,
        listen: { host: '127.0.0.1', port },
        coordinator: 'quorum',
        engine: 'lsm',
        seeds: [...seeds, `${JOINER}@127.0.0.1:${port}`],
        replication: { n: N, w: 2, r: 2 },
        membership: 'gossip',
        membershipOptions: { probeIntervalMs: 500, probeTimeoutMs: 150, minTransitionMs: 500 },
        hintedHandoff: false,
        antiEntropy: false,
        rebalanceOptions: { drainMs: 4_000, announceIntervalMs: 250 },
        ring: { partitions: PARTITIONS },
        timeouts: { requestMs: 2_000 },
        log: { level: 'error' },
        shutdownLingerMs: 0,
      };
      const joining = startServerProcess(config, [], undefined, BOOT_MS);
      await Promise.all(Array.from({ length: PARALLEL }, (_, w) => load(BEFORE + DURING, w)));
      joiner = await joining;

      const all = [...IDS, JOINER];
      for (const id of IDS) probe.setAddress(id, cluster.address(id));
      probe.setAddress(JOINER, joiner.address);
      const ring = new RingPartitioner({ partitions: PARTITIONS });
      // The ring as the cluster builds it: from the members' gossiped history (joinedAt), not from the ids alone.
      const members = await eventually(async () => {
        const view = await probe.members(JOINER);
        expect(view.map((m) => m.id).sort()).toEqual(all);
        return view;
      }, ARRIVE_MS);
      const placement = ring.update(members);
      const keys = [...acked.keys()];
      const mine = keys.filter((k) => placement.preferenceList(k, N).includes(JOINER));
      expect(mine.length).toBeGreaterThan(keys.length / 2); // n4 replicates 3/4 of the data: it must arrive

      // The stream hands n4 the copy of the node it replaces, so every acknowledged key keeps its quorum overlap:
      // at least W = 2 of its replicas under the new placement hold the acknowledged value (a key the replaced
      // node itself missed — its write acknowledged by the other two — is the one n4 may lack, as the package
      // README says; anti-entropy, off here, would bring it). And n4 received its share: all but a handful.
      const holders = async (): Promise<{ short: string[]; onJoiner: number }> => {
        const copies = new Map<string, Sibling[][]>();
        for (const id of all) copies.set(id, await probe.read(id, keys));
        const short: string[] = [];
        let onJoiner = 0;
        keys.forEach((k, i) => {
          const has = (id: string): boolean => {
            const held = copies.get(id)![i]!;
            return held.length === 1 && Buffer.from(held[0]!.value!).toString() === acked.get(k);
          };
          const count = placement.preferenceList(k, N).filter(has).length;
          if (count < 2) short.push(`${k} on ${count} replicas`);
          if (placement.preferenceList(k, N).includes(JOINER) && has(JOINER)) onJoiner++;
        });
        return { short, onJoiner };
      };
      const arrived = await eventually(async () => {
        const h = await holders();
        expect(h.short).toEqual([]);
        expect(h.onJoiner).toBeGreaterThanOrEqual(Math.ceil(mine.length * 0.95));
        return h;
      }, ARRIVE_MS);
      console.log(`rebalance: n4 holds ${arrived.onJoiner} of the ${mine.length} acknowledged keys it replicates`);

      // A node that no longer replicates a key drops it once every member is settled.
      const stale = async (): Promise<string[]> => {
        const out: string[] = [];
        for (const id of IDS) {
          const gone = keys.filter((k) => !placement.preferenceList(k, N).includes(id));
          const held = await probe.read(id, gone);
          gone.forEach((k, i) => held[i]!.length > 0 && out.push(`${k} on ${id}`));
        }
        return out;
      };
      await eventually(async () => expect(await stale()).toEqual([]), ARRIVE_MS);

      client = await DynamisClient.connect({ nodes: [joiner.address], token: CLIENT_TOKEN, timeoutMs: 15_000, retries: 0 });
      for (const key of keys) {
        const r = await eventually(() => client!.get(key, { consistency: 2 }));
        expect({ key, values: r.siblings.map((s) => Buffer.from(s.value!).toString()) }).toEqual({ key, values: [acked.get(key)] });
      }

      // n3 leaves for good: a request naming another node is refused; the right one starts the hand-off.
      const leaver = cluster.process('n3');
      await expect(admin(leaver.address, ADMIN_MESSAGE.leave, { nodeId: 'n1' })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      const reply = await admin(leaver.address, ADMIN_MESSAGE.leave, { nodeId: 'n3' });
      expect(reply).toEqual({ type: ADMIN_REPLY.leave, payload: { nodeId: 'n3', departure: 'handing-off' } });
      expect(await leaver.exited).toBe(0); // it exits by itself once handed off
      expect(leaver.stdout()).toContain('left the cluster: partitions handed off');
      const remaining = ['n1', 'n2', JOINER];
      const after = await eventually(async () => {
        const view = await probe.members('n1');
        expect(view.find((m) => m.id === 'n3')?.status).toBe('left');
        return view;
      }, ARRIVE_MS);
      const placement3 = new RingPartitioner({ partitions: PARTITIONS }).update(after);
      expect([...placement3.nodes].sort()).toEqual(remaining);
      // Read once, right after the exit: the leaver waited for the hand-off, so what it held is already where the
      // new placement puts it (a leaver that exited at once would leave its gaining nodes empty here).
      const copies = new Map<string, Sibling[][]>();
      for (const id of remaining) copies.set(id, await probe.read(id, keys));
      const holds = (id: string, i: number): boolean =>
        copies.get(id)![i]!.some((x) => Buffer.from(x.value!).toString() === acked.get(keys[i]!));
      let gained = 0;
      let gainedHeld = 0;
      const short: string[] = [];
      keys.forEach((k, i) => {
        const list = placement3.preferenceList(k, N);
        if (list.filter((id) => holds(id, i)).length < 2) short.push(k);
        for (const id of list) {
          if (placement.preferenceList(k, N).includes(id)) continue;
          gained++;
          if (holds(id, i)) gainedHeld++;
        }
      });
      expect(short).toEqual([]);
      expect(gained).toBeGreaterThan(keys.length / 2);
      expect(gainedHeld).toBeGreaterThanOrEqual(Math.ceil(gained * 0.95));
      console.log(`rebalance: after n3 left, its replacements hold ${gainedHeld} of the ${gained} key copies they gained`);
      for (const key of keys) {
        const r = await eventually(() => client!.get(key, { consistency: 2 }));
        expect({ key, values: r.siblings.map((s) => Buffer.from(s.value!).toString()) }).toEqual({ key, values: [acked.get(key)] });
      }
    },
    6 * BOOT_MS,
  );
});
