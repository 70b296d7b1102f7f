import {
  ClockToken,
  ConfigToken,
  definePlugin,
  FailureDetectorToken,
  FileSystemToken,
  LoggerToken,
  MembershipToken,
  MessageRouterToken,
  parseWithSchema,
  PeerRpcToken,
  RandomToken,
  type Plugin,
} from '@dynamis/core';
import { GossipMembership } from './GossipMembership';
import { PROBE, SYNC } from './messages';
import { gossipOptionsSchema, type GossipOptionsInput } from './options';
import { SwimFailureDetector } from './SwimFailureDetector';

const NAME = '@dynamis/gossip';

/**
 * The gossip Membership + FailureDetector plugin: SWIM-style membership over
 * the kernel's PeerRpc (`gossip.sync`, `gossip.probe`), bootstrapped from the
 * node config's `seeds` (`id@host:port`). Throws INVALID_CONFIG at once for
 * bad options; a bad `seeds` entry fails the node's start (PLUGIN_FAILED
 * whose cause is INVALID_CONFIG naming it).
 */
export function gossipMembership(options: GossipOptionsInput = {}): Plugin {
  const parsed = parseWithSchema(gossipOptionsSchema, options, `options of ${NAME}`);
  return definePlugin({
    name: NAME,
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Membership', 'FailureDetector'],
    needs: ['Config', 'PeerRpc', 'MessageRouter', 'Clock', 'Random', 'Logger', 'FileSystem'],
    reads: ['seeds'],
    messages: [SYNC, PROBE],
    register: ({ bind }) => {
      bind(MembershipToken)
        .toDynamicValue(
          (ctx) =>
            new GossipMembership(
              ctx.get(ConfigToken),
              parsed,
              ctx.get(PeerRpcToken),
              ctx.get(MessageRouterToken),
              ctx.get(ClockToken),
              ctx.get(RandomToken),
              ctx.get(LoggerToken).child({ plugin: NAME }),
              ctx.get(FileSystemToken),
            ),
        )
        .inSingletonScope();
      bind(FailureDetectorToken)
        .toDynamicValue((ctx) => new SwimFailureDetector(ctx.get(MembershipToken) as GossipMembership))
        .inSingletonScope();
    },
  });
}
