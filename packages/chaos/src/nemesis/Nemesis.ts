import type { SeededRandom, Simulation } from '@dynamis/testkit/sim';
import type { ChaosCluster } from '../sim/chaosCluster';

/** What a nemesis acts on: the simulation, the cluster, and its own random stream (forked from the run's seed). */
export interface NemesisContext {
  readonly sim: Simulation;
  readonly cluster: ChaosCluster;
  readonly random: SeededRandom;
}

/**
 * A fault injector. `start` injects one fault (its choices drawn from
 * `ctx.random`, so a seed replays it) and resolves with a short description
 * for the report; `stop` heals exactly what the last `start` did. The runner
 * alternates them and calls `stop` once more before the final checks, so
 * `stop` without a fault in force is a no-op. Neither may run virtual time
 * itself (they run inside the simulation's event loop).
 */
export interface Nemesis {
  readonly name: string;
  start(ctx: NemesisContext): Promise<string> | string;
  stop(ctx: NemesisContext): Promise<void> | void;
}

/** Picks one element of a non-empty list. */
export function pick<T>(random: SeededRandom, list: readonly T[]): T {
  return list[random.int(list.length)]!;
}

/** `list` in a random order (Fisher-Yates on `random`). */
export function shuffle<T>(random: SeededRandom, list: readonly T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
