import { PartitionerToken } from '@dynamis/core';
import { Simulation } from '@dynamis/testkit';
import type { QuorumCoordinator } from '../src';
import { bytes, seeds, simCluster, text } from './simCluster';

// Found by the chaos suite (packages/chaos, nemesis 'links', vector clocks, seeds 8018 and 8019):
// a network that delivered a forwarded write twice made the coordinator stamp
// it twice, leaving a second sibling of one client write that the client's
// context never covered, so its next write or delete did not supersede it.
describe('regression: a duplicated quorum.forward delivery', () => {
  it.each(seeds(5, 1))('is coordinated once: one sibling, superseded by the next write (seed %i)', async (seed) => {
    const sim = new Simulation({ seed, nodes: ['n1', 'n2', 'n3', 'n4', 'n5'] });
    const c = await simCluster(sim, { resolver: 'vclock' });
    const key = 'dup-key';
    const prefs = c.node('n1').resolve(PartitionerToken).placement().preferenceList(key, 3);
    // A node outside the key's preference list forwards; every datagram from it is delivered twice.
    const outside = c.ids.find((id) => !prefs.includes(id))!;
    for (const to of c.ids) if (to !== outside) sim.network.setLinkFaults(outside, to, { duplicateProbability: 1 });
    const first = await c.run(c.node(outside).store.put(key, bytes('v1'), {}));
    await sim.runFor(100);
    const read = await c.run(c.node(outside).store.get(key, {}));
    expect(read.siblings.map((s) => text(s))).toEqual(['v1']);
    await c.run(c.node(outside).store.put(key, bytes('v2'), { context: first.context }));
    await sim.runFor(100);
    for (const id of c.ids) {
      const stored = await c.run(c.stored(id, key));
      expect(stored.map(text).filter((v) => v !== null)).not.toContain('v1');
    }
    const duplicates = prefs.reduce((n, id) => n + (c.coordinator(id) as QuorumCoordinator).stats().duplicateForwards, 0);
    expect(duplicates).toBeGreaterThanOrEqual(2);
    await c.stop();
  });
});
