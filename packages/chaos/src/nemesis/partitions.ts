import { shuffle, type Nemesis, type NemesisContext } from './Nemesis';

/** A partition nemesis: `start` cuts the network one way, `stop` heals every partition, isolation and cut link. */
function partitionNemesis(name: string, split: (ctx: NemesisContext) => string): Nemesis {
  return { name, start: split, stop: ({ sim }) => sim.network.heal() };
}

/** Cuts one random node off from every other. */
export const isolateOne = (): Nemesis =>
  partitionNemesis('partition-one', ({ sim, random }) => {
    const [victim] = shuffle(random, sim.nodeIds());
    sim.network.isolate(victim!);
    return `isolate ${victim}`;
  });

/** Splits the nodes into a random minority and majority (2 | 3 of 5). */
export const halves = (): Nemesis =>
  partitionNemesis('partition-halves', ({ sim, random }) => {
    const order = shuffle(random, sim.nodeIds());
    const minority = order.slice(0, Math.floor(order.length / 2));
    const majority = order.slice(minority.length);
    sim.network.partition([minority, majority]);
    return `halves ${minority.join(',')} | ${majority.join(',')}`;
  });

/** Two halves that cannot reach each other but both reach one bridge node (a non-transitive partition). */
export const bridge = (): Nemesis =>
  partitionNemesis('partition-bridge', ({ sim, random }) => {
    const order = shuffle(random, sim.nodeIds());
    const bridgeNode = order[0]!;
    const rest = order.slice(1);
    const left = rest.slice(0, Math.floor(rest.length / 2));
    const right = rest.slice(left.length);
    for (const a of left) for (const b of right) sim.network.cut(a, b);
    return `bridge ${left.join(',')} <${bridgeNode}> ${right.join(',')}`;
  });

/** Nodes on a random ring, each reaching only its two neighbours. */
export const ring = (): Nemesis =>
  partitionNemesis('partition-ring', ({ sim, random }) => {
    const order = shuffle(random, sim.nodeIds());
    const n = order.length;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const adjacent = j === i + 1 || (i === 0 && j === n - 1);
        if (!adjacent) sim.network.cut(order[i]!, order[j]!);
      }
    }
    return `ring ${order.join('-')}`;
  });
