import type { NodeId } from '@dynamis/core';
import { shuffle, type Nemesis } from './Nemesis';

/**
 * Largest wall-clock offset the clock nemesis gives a node, ms: far below
 * conflict-lww's maxSkewMs (60 s by default), so every version stays
 * acceptable; what LWW loses to skew between concurrent writers is stated in
 * docs/GUARANTEES.md, not tested as a fault here.
 */
export const MAX_SKEW_MS = 2000;

/**
 * Skews the wall clocks of one or two random nodes: a steady offset, or a
 * jump forward or backward (as NTP can step a clock), each within
 * ±MAX_SKEW_MS. `stop` sets every touched clock back to true time (itself a
 * jump).
 */
export function clockSkew(): Nemesis {
  let touched: NodeId[] = [];
  return {
    name: 'clock',
    start: ({ sim, cluster, random }) => {
      touched = shuffle(random, cluster.live()).slice(0, 1 + random.int(2));
      return touched
        .map((id) => {
          const clock = sim.clock(id);
          const ms = random.intBetween(-MAX_SKEW_MS, MAX_SKEW_MS);
          if (random.chance(0.5)) {
            clock.setSkew(ms);
            return `skew ${id} ${ms}ms`;
          }
          const jump = Math.max(-MAX_SKEW_MS, Math.min(MAX_SKEW_MS, clock.skew() + ms)) - clock.skew();
          clock.jump(jump);
          return `jump ${id} ${jump}ms`;
        })
        .join(', ');
    },
    stop: ({ sim }) => {
      for (const id of touched) if (!sim.isCrashed(id)) sim.clock(id).setSkew(0);
      touched = [];
    },
  };
}
