import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import { createNode, MembershipToken } from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { membershipContract, simulatedEnvironment } from '@dynamis/testkit';
import { staticMembership } from '../src';

const OPTS = { pingIntervalMs: 100, pingTimeoutMs: 50, failuresBeforeDown: 3, minTransitionMs: 400 };

// The static list cannot grow or shrink: no graceful 'left', no 'joined' (README "Limits").
membershipContract(
  'membership-static (5 nodes)',
  async (sim, id, seeds) => {
    const node = await createNode({ nodeId: id, seeds: [...seeds], log: { level: 'silent' } }, [
      simulatedEnvironment(sim, id),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
      staticMembership(OPTS),
    ]);
    await node.start();
    return { membership: node.resolve(MembershipToken), stop: () => node.stop() };
  },
  {
    nodes: 5,
    convergeWithinMs: 1000,
    // README "Guarantees": failuresBeforeDown × pingIntervalMs + pingTimeoutMs after going silent, plus one round in flight.
    downWithinMs: OPTS.failuresBeforeDown * OPTS.pingIntervalMs + OPTS.pingTimeoutMs + OPTS.pingIntervalMs,
    upWithinMs: OPTS.pingIntervalMs + OPTS.pingTimeoutMs + OPTS.minTransitionMs,
  },
);
