import { describe, expect, it } from '@jest/globals';
import { runSimulation } from '@dynamis/testkit';
import { GossipCluster, seedList } from './GossipCluster';

const IDS = ['n1', 'n2', 'n3', 'n4', 'n5'];
const OPTS = { minTransitionMs: 0 };

describe('gossip basics', () => {
  it('five nodes converge; a crash is seen; a restart comes back', () =>
    runSimulation({ seed: 1, nodes: IDS }, async (sim) => {
      const c = new GossipCluster(sim, OPTS);
      for (const id of IDS) await c.start(id, seedList(['n1']));
      await sim.runUntil(() => c.converged() && IDS.every((a) => IDS.every((b) => c.m(a).isAlive(b))), 30_000);
      console.log('converged at', sim.now(), c.m('n2').members());
      const t0 = sim.now();
      await c.crash('n5');
      await sim.runUntil(() => c.allSee('n5', 'dead'), 60_000);
      console.log('down after', sim.now() - t0);
      await sim.restartNode('n5', () => c.start('n5', seedList(['n1'])));
      await sim.runUntil(() => c.allSee('n5', 'alive') && c.converged(), 60_000);
      console.log(c.events('n1', 'n5'), c.events('n5', 'n1'), c.m('n1').stats());
      await c.stopAll();
    }));
});
