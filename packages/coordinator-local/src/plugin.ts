import { CoordinatorToken, definePlugin, type Plugin } from '@dynamis/core';
import { LocalCoordinator } from './LocalCoordinator';

/** The single-node Coordinator plugin: serves every request from the local replica. */
export function localCoordinator(): Plugin {
  return definePlugin({
    name: '@dynamis/coordinator-local',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Coordinator'],
    needs: ['Replica', 'ConflictResolver', 'Clock', 'Config'],
    register: ({ bind }) => {
      bind(CoordinatorToken).to(LocalCoordinator).inSingletonScope();
    },
  });
}
