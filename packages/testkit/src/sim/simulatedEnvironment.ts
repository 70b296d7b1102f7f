import {
  ClockToken,
  definePlugin,
  FileSystemToken,
  LoggerToken,
  RandomToken,
  TransportToken,
  type NodeId,
  type Plugin,
} from '@dynamis/core';
import type { Simulation } from './Simulation';

export interface SimulatedEnvironmentOptions {
  /** Also provide the node's SimTransport (default true). */
  readonly transport?: boolean;
}

/**
 * A plugin that puts node `id` of `sim` on virtual time, seeded randomness,
 * its simulated disk, its simulated log and (by default) the simulated
 * network: it provides Clock, Random, FileSystem, Logger and Transport,
 * replacing the kernel's system defaults, so nothing the node does touches
 * the real disk, clock or stderr. Compose one per node:
 *
 *   createNode({ nodeId: id }, [simulatedEnvironment(sim, id), memoryEngine(), …])
 *
 * The values are read when the plugin registers, so after a crash compose a
 * new node with a new `simulatedEnvironment(sim, id)` (inside
 * `sim.restartNode`): it gets the node's new clock and the same disk and log.
 * The plugin's name carries the node id, so one list cannot hold two.
 */
export function simulatedEnvironment(sim: Simulation, id: NodeId, options: SimulatedEnvironmentOptions = {}): Plugin {
  const withTransport = options.transport ?? true;
  return definePlugin({
    name: `@dynamis/testkit:simulation(${id})`,
    version: '0.1.0',
    core: '^0.1.0',
    provides: withTransport ? ['Clock', 'Random', 'FileSystem', 'Logger', 'Transport'] : ['Clock', 'Random', 'FileSystem', 'Logger'],
    needs: [],
    register: ({ bind }) => {
      bind(ClockToken).toConstantValue(sim.clock(id));
      bind(RandomToken).toConstantValue(sim.random(id));
      bind(FileSystemToken).toConstantValue(sim.fileSystem(id));
      bind(LoggerToken).toConstantValue(sim.log(id).logger);
      if (withTransport) bind(TransportToken).toConstantValue(sim.transport(id));
    },
  });
}
