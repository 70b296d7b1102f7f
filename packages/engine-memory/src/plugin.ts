import { definePlugin, StorageEngineToken, type Plugin } from '@dynamis/core';
import { MemoryStorageEngine, type MemoryEngineOptions } from './MemoryStorageEngine';

/**
 * The in-memory StorageEngine plugin: one MemoryStorageEngine per node,
 * opened on start and closed on stop. Volatile: the data is gone on close.
 */
export function memoryEngine(options: MemoryEngineOptions = {}): Plugin {
  return definePlugin({
    name: '@dynamis/engine-memory',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['StorageEngine'],
    needs: [],
    register: ({ bind }) => {
      bind(StorageEngineToken)
        .toDynamicValue(() => new MemoryStorageEngine(options))
        .inSingletonScope();
    },
  });
}
