import {
  ClockToken,
  ConfigToken,
  definePlugin,
  FileSystemToken,
  LoggerToken,
  MembershipToken,
  MessageRouterToken,
  parseWithSchema,
  PartitionerToken,
  PeerRpcToken,
  RebalancerToken,
  ReplicaToken,
  StorageEngineToken,
  type Plugin,
} from '@dynamis/core';
import { rebalanceOptionsSchema, type RebalanceOptionsInput } from './options';
import { PartitionRebalancer } from './PartitionRebalancer';
import { REBALANCE_MESSAGE } from './protocol';

/**
 * The rebalance plugin: provides Rebalancer (PartitionRebalancer). Needs the
 * Replica (records to stream, the merge path to apply them), the
 * StorageEngine (to drop a partition's range), PeerRpc and the
 * MessageRouter (its protocol), the Partitioner and Membership (placement,
 * members to announce to). Declares the `rebalance.*` message types. Throws
 * INVALID_CONFIG at once for bad options (naming the key).
 */
export function rebalance(options: RebalanceOptionsInput = {}): Plugin {
  const parsed = parseWithSchema(rebalanceOptionsSchema, options, 'options of @dynamis/rebalance');
  return definePlugin({
    name: '@dynamis/rebalance',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Rebalancer'],
    needs: ['Replica', 'StorageEngine', 'PeerRpc', 'MessageRouter', 'Partitioner', 'Membership', 'Clock', 'Config', 'Logger', 'FileSystem'],
    messages: Object.values(REBALANCE_MESSAGE),
    register: ({ bind }) => {
      bind(RebalancerToken)
        .toDynamicValue(
          (ctx) =>
            new PartitionRebalancer(
              {
                config: ctx.get(ConfigToken),
                replica: ctx.get(ReplicaToken),
                engine: ctx.get(StorageEngineToken),
                rpc: ctx.get(PeerRpcToken),
                router: ctx.get(MessageRouterToken),
                partitioner: ctx.get(PartitionerToken),
                membership: ctx.get(MembershipToken),
                clock: ctx.get(ClockToken),
                logger: ctx.get(LoggerToken),
                fs: ctx.get(FileSystemToken),
              },
              parsed,
            ),
        )
        .inSingletonScope();
    },
  });
}
