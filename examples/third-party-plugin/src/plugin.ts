import { ConfigToken, definePlugin, StorageEngineToken, type Plugin } from '@dynamis/core';
import { join } from 'node:path';
import { LevelStorageEngine } from './LevelStorageEngine';
import { checkLevelEngineOptions, type LevelEngineOptions } from './options';

/**
 * The LevelDB StorageEngine plugin: one LevelStorageEngine per node in
 * `options.dir`, or else `${config.dataDir}/leveldb`; the kernel opens it
 * on start and closes it on stop. Throws INVALID_CONFIG at once for bad
 * options. Built with core's definePlugin, like the repository's own plugins.
 */
export function levelEngine(options: LevelEngineOptions = {}): Plugin {
  checkLevelEngineOptions(options);
  return definePlugin({
    name: 'dynamis-engine-leveldb',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['StorageEngine'],
    needs: ['Config'],
    register: ({ bind }) => {
      bind(StorageEngineToken)
        .toDynamicValue((ctx) => new LevelStorageEngine(options.dir ?? join(ctx.get(ConfigToken).dataDir, 'leveldb'), options))
        .inSingletonScope();
    },
  });
}
