import { CoordinatorToken, definePlugin, type Plugin } from '@dynamis/core';
import { FORWARD_MESSAGE } from './forwardProtocol';
import { QuorumCoordinator } from './QuorumCoordinator';

/**
 * The quorum Coordinator plugin. Needs a Membership (who the members are and
 * whether they are alive) and a Partitioner (where keys live): without them
 * it cannot place a key, so composition fails with MISSING_PROVIDER.
 * Reads the config's `replication` section; refuses (INVALID_CONFIG, at
 * start) `sloppyQuorum: true` and a W or R above N.
 */
export function quorumCoordinator(): Plugin {
  return definePlugin({
    name: '@dynamis/quorum',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Coordinator'],
    needs: ['Membership', 'Partitioner', 'ReplicaClient', 'PeerRpc', 'MessageRouter', 'ConflictResolver', 'Clock', 'Config', 'Logger'],
    optional: ['Rebalancer'],
    reads: ['replication'],
    messages: [FORWARD_MESSAGE],
    register: ({ bind }) => {
      bind(CoordinatorToken).to(QuorumCoordinator).inSingletonScope();
    },
  });
}
