import { coordinatorContract } from '@dynamis/testkit';
import { simCluster } from './simCluster';

// The Coordinator contract over a simulated 3-node cluster, N=3, under both resolvers.
for (const resolver of ['lww', 'vclock'] as const) {
  coordinatorContract(
    `quorum (${resolver}, 3 nodes, N=3)`,
    async (sim) => {
      const c = await simCluster(sim, { resolver });
      return { nodes: c.ids.map((id) => ({ id, coordinator: c.coordinator(id) })), stop: c.stop };
    },
    { nodes: 3, replicas: 3, cluster: true },
  );
}
