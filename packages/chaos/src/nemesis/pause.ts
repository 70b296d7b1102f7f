import type { NodeId } from '@dynamis/core';
import { pick, type Nemesis } from './Nemesis';

/** Freezes one random running node (Simulation.pauseNode: SIGSTOP) and resumes it on `stop` (SIGCONT). */
export function pause(): Nemesis {
  let victim: NodeId | undefined;
  return {
    name: 'pause',
    start: ({ sim, cluster, random }) => {
      victim = pick(random, cluster.live());
      sim.pauseNode(victim);
      return `pause ${victim}`;
    },
    stop: ({ sim }) => {
      if (victim !== undefined && sim.isPaused(victim)) sim.resumeNode(victim);
      victim = undefined;
    },
  };
}
