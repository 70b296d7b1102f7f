import { Simulation, type SimulationOptions } from './Simulation';

/**
 * Runs `body` on a fresh Simulation. `options` is a seed (nodes n1, n2, n3)
 * or full SimulationOptions. Resolves with the body's result. If the body
 * throws, rejects with an Error whose message starts with
 * `Simulation failed with seed <seed>; replay: DYNAMIS_SEED=<seed>`, then the
 * virtual time and the original message; the original error is its `cause`.
 */
export async function runSimulation<T>(options: number | SimulationOptions, body: (sim: Simulation) => Promise<T> | T): Promise<T> {
  const sim = new Simulation(typeof options === 'number' ? { seed: options } : options);
  try {
    return await body(sim);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    throw new Error(
      `Simulation failed with seed ${sim.seed}; replay: DYNAMIS_SEED=${sim.seed} ` + `(virtual time ${sim.now()} ms)\n${message}`,
      { cause: err },
    );
  }
}
