import { lwwResolver } from '@dynamis/conflict-lww';
import { createNode, CoordinatorToken } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { coordinatorContract, simulatedEnvironment } from '@dynamis/testkit';
import { localCoordinator } from '../src';

// The Coordinator contract on one node (K=1, N=1).
coordinatorContract(
  'local (single node)',
  async (sim) => {
    const node = await createNode({ nodeId: 'n1', log: { level: 'silent' } }, [
      simulatedEnvironment(sim, 'n1', { transport: false }),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
    ]);
    await node.start();
    return { nodes: [{ id: 'n1', coordinator: node.resolve(CoordinatorToken) }], stop: () => node.stop() };
  },
  { nodes: 1 },
);
