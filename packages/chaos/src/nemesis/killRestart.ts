import type { NodeId } from '@dynamis/core';
import { pick, type Nemesis } from './Nemesis';

/**
 * Kills one random running node and restarts it on `stop` (a new node over
 * its disk). On a 'faulty' disk the crash is a power loss: only what was
 * fsynced survives (the cluster's engine-lsm fsyncs every write, 'always').
 * One node at a time.
 */
export function killRestart(): Nemesis {
  let victim: NodeId | undefined;
  return {
    name: 'kill',
    start: ({ cluster, random }) => {
      victim = pick(random, cluster.live());
      cluster.crash(victim);
      return `kill ${victim}`;
    },
    stop: async ({ cluster }) => {
      if (victim === undefined) return;
      const id = victim;
      victim = undefined;
      await cluster.restart(id);
    },
  };
}
