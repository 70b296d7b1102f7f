import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { createNode, FailureDetectorToken, MembershipToken } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { membershipContract, simulatedEnvironment } from '@dynamis/testkit';
import { gossipBounds, gossipMembership } from '../src';

const OPTS = { gossipIntervalMs: 100, probeIntervalMs: 300, probeTimeoutMs: 100, syncIntervalMs: 1000, leaveAnnounceMs: 300 };
const NODES = 5;

membershipContract(
  'gossip (5 nodes)',
  async (sim, id, seeds) => {
    const node = await createNode({ nodeId: id, seeds: [...seeds], log: { level: 'silent' } }, [
      simulatedEnvironment(sim, id),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
      gossipMembership(OPTS),
    ]);
    await node.start();
    return { membership: node.resolve(MembershipToken), failureDetector: node.resolve(FailureDetectorToken), stop: () => node.stop() };
  },
  {
    nodes: NODES,
    convergeWithinMs: 10_000,
    downWithinMs: gossipBounds(NODES, OPTS).detectionMs,
    upWithinMs: 10_000,
    supports: { leave: true, joinedEvents: true },
  },
);
