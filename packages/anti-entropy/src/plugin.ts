import {
  AntiEntropyToken,
  ClockToken,
  ConfigToken,
  definePlugin,
  LoggerToken,
  MembershipToken,
  MessageRouterToken,
  parseWithSchema,
  PartitionerToken,
  PeerRpcToken,
  RandomToken,
  ReplicaClientToken,
  ReplicaToken,
  type Plugin,
} from '@dynamis/core';
import { MerkleAntiEntropy } from './MerkleAntiEntropy';
import { antiEntropyOptionsSchema, type AntiEntropyOptionsInput } from './options';
import { AE_MESSAGE } from './protocol';

/**
 * The anti-entropy plugin: provides AntiEntropy (MerkleAntiEntropy). Needs the
 * Replica (its records and write events), the ReplicaClient and PeerRpc (to
 * reach peers), the Partitioner (partition count; replicas of each partition
 * for the scheduler); uses Membership when present (down peers are skipped).
 * Declares the `antiEntropy.*` message types. Throws INVALID_CONFIG at once
 * for bad options (naming the key).
 */
export function antiEntropy(options: AntiEntropyOptionsInput = {}): Plugin {
  const parsed = parseWithSchema(antiEntropyOptionsSchema, options, 'options of @dynamis/anti-entropy');
  return definePlugin({
    name: '@dynamis/anti-entropy',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['AntiEntropy'],
    needs: ['Replica', 'ReplicaClient', 'PeerRpc', 'MessageRouter', 'Partitioner', 'Clock', 'Random', 'Config', 'Logger'],
    optional: ['Membership'],
    messages: Object.values(AE_MESSAGE),
    register: ({ bind }) => {
      bind(AntiEntropyToken)
        .toDynamicValue(
          (ctx) =>
            new MerkleAntiEntropy(
              {
                config: ctx.get(ConfigToken),
                replica: ctx.get(ReplicaToken),
                replicas: ctx.get(ReplicaClientToken),
                rpc: ctx.get(PeerRpcToken),
                router: ctx.get(MessageRouterToken),
                partitioner: ctx.get(PartitionerToken),
                clock: ctx.get(ClockToken),
                random: ctx.get(RandomToken),
                logger: ctx.get(LoggerToken),
                membership: ctx.get(MembershipToken, { optional: true }),
              },
              parsed,
            ),
        )
        .inSingletonScope();
    },
  });
}
