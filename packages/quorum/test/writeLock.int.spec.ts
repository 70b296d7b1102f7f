import { afterEach, describe, expect, it } from '@jest/globals';
import { PartitionerToken, type NodeId } from '@dynamis/core';
import { runSimulation, type Simulation } from '@dynamis/testkit';
import { bytes, simCluster, text, type SimCluster } from './simCluster';

/*
 * How long a write holds its key's lock on the coordinator. Under LWW (a
 * resolver whose stamps supersede all its earlier ones: stampsMonotonic) an
 * unconditional write holds it only until its version is stamped; its local
 * write, which LocalWriteGate holds until a remote replica acked (maxSkewMs),
 * no longer queues the key's next write behind a remote round trip. A
 * conditional write still holds it until its local write is done: the next
 * write's check must see it. Here both remote links take 300 ms each way.
 */
let cluster: SimCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

const WRITES = new Set(['replica.write', 'replica.writeBatch']);
const SLOW_MS = 300;

/** Times (virtual ms) at which `from` sent replica writes to `to`, from `since` on. */
const writesSent = (sim: Simulation, from: NodeId, to: NodeId, since: number): number[] =>
  sim.trace.filter((t) => t.ev === 'send' && WRITES.has(t.type) && t.from === from && t.to === to && t.t >= since).map((t) => t.t);

async function slowCluster(sim: Simulation) {
  const c = (cluster = await simCluster(sim));
  const key = 'hot';
  const [coordinator, a, b] = c.node('n1').resolve(PartitionerToken).placement().preferenceList(key, 3) as [NodeId, NodeId, NodeId];
  await c.run(c.coordinator(coordinator).put(key, bytes('v0'), { consistency: 'all' }));
  await sim.runFor(100);
  for (const other of [a, b]) sim.network.setLinkFaults(coordinator, other, { minDelayMs: SLOW_MS, maxDelayMs: SLOW_MS });
  return { c, key, coordinator, a, b };
}

describe('the key lock of a write on its coordinator (LWW)', () => {
  it("two unconditional writes of one key: the second is sent without waiting for the first one's remote ack; the later one wins everywhere", async () => {
    await runSimulation(4101, async (sim) => {
      const { c, key, coordinator, a, b } = await slowCluster(sim);
      const start = sim.now();
      const first = c.coordinator(coordinator).put(key, bytes('v1'), {});
      const second = c.coordinator(coordinator).put(key, bytes('v2'), {});
      await c.run(Promise.all([first, second]));
      const sent = writesSent(sim, coordinator, a, start);
      expect(sent.length).toBeGreaterThanOrEqual(1);
      expect(Math.max(...sent) - start).toBeLessThan(SLOW_MS); // both left before any remote ack could arrive (2 × 300 ms)
      expect(sim.now() - start).toBeLessThan(3 * SLOW_MS); // one remote round trip, not two
      await sim.runFor(2000);
      for (const node of [coordinator, a, b]) expect((await c.stored(node, key)).map(text)).toEqual(['v2']);
    });
  });

  it('after a conditional write, the next write of the key waits until the conditional one is stored locally', async () => {
    await runSimulation(4102, async (sim) => {
      const { c, key, coordinator, a, b } = await slowCluster(sim);
      const read = await c.run(c.coordinator(coordinator).get(key, { consistency: 'one' }));
      const start = sim.now();
      const conditional = c.coordinator(coordinator).put(key, bytes('v1'), { ifVersion: read.context });
      const next = c.coordinator(coordinator).put(key, bytes('v2'), {});
      await c.run(Promise.all([conditional, next]));
      const sent = writesSent(sim, coordinator, a, start);
      expect(sent.length).toBe(2); // one per write: the second was not in the first one's tick
      expect(sent[1]! - start).toBeGreaterThanOrEqual(2 * SLOW_MS); // after the conditional write's gate opened (a remote ack)
      await sim.runFor(2000);
      for (const node of [coordinator, a, b]) expect((await c.stored(node, key)).map(text)).toEqual(['v2']);
    });
  });
});
