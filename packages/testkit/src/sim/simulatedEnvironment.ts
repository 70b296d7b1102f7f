import { ClockToken, definePlugin, RandomToken, TransportToken, type NodeId, type Plugin } from '@dynamis/core';
import type { Simulation } from './Simulation';

export interface SimulatedEnvironmentOptions {
  /** Also provide the node's SimTransport (default true). */
  readonly transport?: boolean;
}

/**
 * A plugin that puts node `id` of `sim` on virtual time, seeded randomness
 * and (by default) the simulated network: it provides Clock, Random and
 * Transport, replacing the kernel's system defaults. Compose one per node:
 *
 *   createNode({ nodeId: id }, [simulatedEnvironment(sim, id), memoryEngine(), …])
 *
 * The plugin's name carries the node id, so one list cannot hold two.
 */
export function simulatedEnvironment(sim: Simulation, id: NodeId, options: SimulatedEnvironmentOptions = {}): Plugin {
  const withTransport = options.transport ?? true;
  return definePlugin({
    name: `@dynamis/testkit:simulation(${id})`,
    version: '0.1.0',
    core: '^0.1.0',
    provides: withTransport ? ['Clock', 'Random', 'Transport'] : ['Clock', 'Random'],
    needs: [],
    register: ({ bind }) => {
      bind(ClockToken).toConstantValue(sim.clock(id));
      bind(RandomToken).toConstantValue(sim.random(id));
      if (withTransport) bind(TransportToken).toConstantValue(sim.transport(id));
    },
  });
}
