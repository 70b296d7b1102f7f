import { definePlugin, parseWithSchema, PartitionerToken, type Plugin } from '@dynamis/core';
import { ringOptionsSchema, type RingOptions } from './options';
import { RingPartitioner } from './RingPartitioner';

/** The ring Partitioner plugin. Throws INVALID_CONFIG on bad options (naming the key). */
export function ringPartitioner(options: RingOptions = {}): Plugin {
  const parsed = parseWithSchema(ringOptionsSchema, options, 'options of @dynamis/ring');
  return definePlugin({
    name: '@dynamis/ring',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Partitioner'],
    needs: [],
    register: ({ bind }) => {
      bind(PartitionerToken)
        .toDynamicValue(() => new RingPartitioner(parsed))
        .inSingletonScope();
    },
  });
}
