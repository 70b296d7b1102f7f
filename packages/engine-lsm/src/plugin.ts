import { ClockToken, ConfigToken, definePlugin, FileSystemToken, LoggerToken, StorageEngineToken, type Plugin } from '@dynamis/core';
import { LsmStorageEngine } from './db/LsmStorageEngine';
import { parseLsmOptions, type LsmOptions } from './options';

/**
 * The LSM StorageEngine plugin: one LsmStorageEngine per node over the
 * node's FileSystem and Clock, in `options.dir` or else
 * `${config.dataDir}/engine`; the kernel opens it on start and closes it on
 * stop. Throws INVALID_CONFIG at once for bad options (see the README).
 */
export function lsmEngine(options: LsmOptions = {}): Plugin {
  parseLsmOptions(options);
  return definePlugin({
    name: '@dynamis/engine-lsm',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['StorageEngine'],
    needs: ['FileSystem', 'Clock', 'Config', 'Logger'],
    register: ({ bind }) => {
      bind(StorageEngineToken)
        .toDynamicValue((ctx) => {
          const config = ctx.get(ConfigToken);
          const dir = options.dir ?? `${config.dataDir}/engine`;
          const logger = ctx.get(LoggerToken).child({ plugin: '@dynamis/engine-lsm' });
          return new LsmStorageEngine(ctx.get(FileSystemToken), dir, options, ctx.get(ClockToken), logger);
        })
        .inSingletonScope();
    },
  });
}
