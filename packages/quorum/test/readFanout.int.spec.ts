import { afterEach, describe, expect, it } from '@jest/globals';
import { PartitionerToken, type NodeId } from '@dynamis/core';
import { runSimulation, type Simulation } from '@dynamis/testkit';
import { bytes, simCluster, text, type ClusterOptions, type SimCluster } from './simCluster';

/*
 * replication.readFanout over a simulated 3-node cluster (N=3, R=2): 'quorum'
 * asks the coordinator itself for its record and the first other primary for
 * a digest, and the third only when that one fails or is slow
 * (speculativeRetryMs); 'all' asks every primary for its record. Remote reads
 * (full or digest: both are replica.read) are counted in the network trace.
 */
let cluster: SimCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const READS = new Set(['replica.read', 'replica.readBatch']);

/** Replica read requests `from` sent to `to` (any node when undefined) so far. */
const readsSent = (sim: Simulation, from: NodeId, to?: NodeId): number =>
  sim.trace.filter((t) => t.ev === 'send' && READS.has(t.type) && t.from === from && (to === undefined || t.to === to)).length;

/** A key, its coordinator (its first primary), the primary asked with it, and the third one. */
function roles(c: SimCluster, key: string): { coordinator: NodeId; asked: NodeId; third: NodeId } {
  const prefs = c.node('n1').resolve(PartitionerToken).placement().preferenceList(key, 3);
  return { coordinator: prefs[0]!, asked: prefs[1]!, third: prefs[2]! };
}

async function written(sim: Simulation, options: ClusterOptions = {}) {
  const c = (cluster = await simCluster(sim, options));
  const key = 'k';
  const r = roles(c, key);
  await c.run(c.coordinator(r.coordinator).put(key, bytes('v1'), { consistency: 'all' }));
  await sim.runFor(100);
  return { c, key, ...r };
}

describe("readFanout 'quorum' (the default)", () => {
  it('a read of a healthy key sends exactly R-1 remote read requests, to the next primary; nothing else is asked later', async () => {
    await runSimulation(2001, async (sim) => {
      // speculativeRetryMs above the simulated network's slowest round trip (2 × 5 ms + handling): no retry on a healthy link
      const { c, key, coordinator, asked } = await written(sim, { speculativeRetryMs: 50 });
      const before = readsSent(sim, coordinator);
      const read = await c.run(c.coordinator(coordinator).get(key, {}));
      expect(read.siblings.map(text)).toEqual(['v1']);
      await sim.runFor(1000);
      expect(readsSent(sim, coordinator) - before).toBe(1);
      expect(readsSent(sim, coordinator, asked)).toBe(1);
      // R=3 asks both
      await c.run(c.coordinator(coordinator).get(key, { consistency: 'all' }));
      expect(readsSent(sim, coordinator) - before).toBe(3);
      expect(c.coordinator(coordinator).stats()).toMatchObject({ readSpeculations: 0, readFailovers: 0 });
    });
  });

  it('a primary later in the preference list reads itself first: still one remote request, to the first primary', async () => {
    await runSimulation(2006, async (sim) => {
      const { c, key, coordinator: first, third: last } = await written(sim, { speculativeRetryMs: 50 });
      const read = await c.run(c.coordinator(last).get(key, {}));
      expect(read.siblings.map(text)).toEqual(['v1']);
      await sim.runFor(1000);
      expect(readsSent(sim, last)).toBe(1);
      expect(readsSent(sim, last, first)).toBe(1);
    });
  });

  it('with the asked replica slow, the speculative retry asks the third and the read succeeds before the slow one answers', async () => {
    await runSimulation(2002, async (sim) => {
      const { c, key, coordinator, asked, third } = await written(sim, { speculativeRetryMs: 20 });
      // the coordinator → asked link takes 500 ms each way
      sim.network.setLinkFaults(coordinator, asked, { minDelayMs: 500, maxDelayMs: 500 });
      const start = sim.now();
      const read = await c.run(c.coordinator(coordinator).get(key, {}));
      expect(read.siblings.map(text)).toEqual(['v1']);
      expect(sim.now() - start).toBeLessThan(100); // 20 ms + one round trip (≤ 10 ms), not the slow link's 500
      expect(readsSent(sim, coordinator, third)).toBe(1);
      expect(c.coordinator(coordinator).stats()).toMatchObject({ readSpeculations: 1, readFailovers: 0 });
      // not before speculativeRetryMs: the third was asked at least 20 ms after the read began
      const sentToThird = sim.trace.find((t) => t.ev === 'send' && READS.has(t.type) && t.from === coordinator && t.to === third)!;
      expect(sentToThird.t - start).toBeGreaterThanOrEqual(20);
    });
  });

  it('with the asked replica failing, the third is asked and the read succeeds', async () => {
    await runSimulation(2003, async (sim) => {
      // speculativeRetryMs far above the timeout: only the failure can make the coordinator ask the third
      const { c, key, coordinator, asked, third } = await written(sim, { speculativeRetryMs: 60_000 });
      sim.network.crash(asked);
      const read = await c.run(c.coordinator(coordinator).get(key, { timeoutMs: 200 }));
      expect(read.siblings.map(text)).toEqual(['v1']);
      expect(readsSent(sim, coordinator, third)).toBe(1);
      expect(c.coordinator(coordinator).stats()).toMatchObject({ readSpeculations: 0, readFailovers: 1 });
      // both other replicas failing: QUORUM_NOT_REACHED naming both
      sim.network.crash(third);
      const err = await c.run(c.coordinator(coordinator).get(key, { timeoutMs: 200 })).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'QUORUM_NOT_REACHED', details: { required: 2, answered: [coordinator] } });
      const missing = (err as { details: { missing: { node: string }[] } }).details.missing.map((m) => m.node);
      expect(missing.sort()).toEqual([asked, third].sort());
    });
  });

  it('read repair still fixes a stale replica that was asked (its digest differs: a second round fetches its record)', async () => {
    await runSimulation(2004, async (sim) => {
      const c = (cluster = await simCluster(sim));
      const key = 'k';
      const { coordinator, asked } = roles(c, key);
      sim.network.isolate(asked);
      await c.run(c.coordinator(coordinator).put(key, bytes('v1'), { consistency: 2, timeoutMs: 500 }));
      sim.network.heal();
      expect(await c.stored(asked, key)).toEqual([]);
      const read = await c.run(c.coordinator(coordinator).get(key, {}));
      expect(read.siblings.map(text)).toEqual(['v1']);
      await sim.runUntil(() => c.coordinator(coordinator).stats().readRepairs >= 1, 10_000);
      expect((await c.stored(asked, key)).map(text)).toEqual(['v1']);
      expect(c.coordinator(coordinator).stats().readRepairs).toBe(1);
      // the stale replica's digest differed: its record was fetched in a second round (digest, then full read)
      expect(readsSent(sim, coordinator, asked)).toBe(2);
      expect(c.coordinator(coordinator).stats().readDigestMismatches).toBe(1);
      // repaired, the next read matches on the digest: one request, no mismatch
      await c.run(c.coordinator(coordinator).get(key, {}));
      expect(readsSent(sim, coordinator, asked)).toBe(3);
      expect(c.coordinator(coordinator).stats()).toMatchObject({ readDigestMismatches: 1, readRepairs: 1 });
    });
  });
});

describe("readFanout 'all'", () => {
  it('asks every live primary on every read', async () => {
    await runSimulation(2005, async (sim) => {
      const { c, key, coordinator, asked, third } = await written(sim, { readFanout: 'all' });
      const before = readsSent(sim, coordinator);
      await c.run(c.coordinator(coordinator).get(key, {}));
      await sim.runFor(1000);
      expect(readsSent(sim, coordinator) - before).toBe(2);
      expect(readsSent(sim, coordinator, asked)).toBe(1);
      expect(readsSent(sim, coordinator, third)).toBe(1);
    });
  });
});
