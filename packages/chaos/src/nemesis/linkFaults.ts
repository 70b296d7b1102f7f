import type { Nemesis } from './Nemesis';

/**
 * Makes the whole network lossy: each datagram dropped, duplicated or
 * reordered with a drawn probability (up to 20 %, 20 %, 30 %) and delayed
 * 1 to 10..60 ms. `stop` restores the clean default network.
 */
export function linkFaults(): Nemesis {
  return {
    name: 'links',
    start: ({ sim, random }) => {
      const faults = {
        dropProbability: random.int(21) / 100,
        duplicateProbability: random.int(21) / 100,
        reorderProbability: random.int(31) / 100,
        minDelayMs: 1,
        maxDelayMs: random.intBetween(10, 60),
      };
      sim.network.setFaults(faults);
      return `links drop ${faults.dropProbability} dup ${faults.duplicateProbability} reorder ${faults.reorderProbability} delay 1-${faults.maxDelayMs}ms`;
    },
    stop: ({ sim }) => sim.network.setFaults({}),
  };
}
