import { antiEntropyContract, type AntiEntropyCluster, type Simulation } from '@dynamis/testkit';
import { simCluster } from './simCluster';

async function compose(sim: Simulation, resolver: 'lww' | 'vclock'): Promise<AntiEntropyCluster> {
  const c = await simCluster(sim, { resolver, antiEntropy: { scheduler: false } });
  return {
    nodes: c.ids.map((id) => ({ id, antiEntropy: c.ae(id), replica: c.replica(id), resolver: c.resolver(id) })),
    rangeOf: (key) => c.placement('n1').partitionOf(key),
    stop: c.stop,
  };
}

antiEntropyContract('merkle (lww)', (sim) => compose(sim, 'lww'));
antiEntropyContract('merkle (vclock)', (sim) => compose(sim, 'vclock'), { seed: 2 });
