import {
  ClockToken,
  ConfigToken,
  definePlugin,
  LoggerToken,
  MembershipToken,
  MessageRouterToken,
  parseWithSchema,
  PeerRpcToken,
  type Plugin,
} from '@dynamis/core';
import { staticMembershipOptionsSchema, type StaticMembershipOptionsInput } from './options';
import { PING, StaticMembership } from './StaticMembership';

/**
 * The static Membership plugin: members from the node config's `seeds`
 * (`id@host:port`), liveness from `membership.ping` over the kernel's PeerRpc.
 * Throws INVALID_CONFIG at once for bad options; a bad `seeds` entry fails
 * the node's start (PLUGIN_FAILED whose cause is INVALID_CONFIG naming it).
 */
export function staticMembership(options: StaticMembershipOptionsInput = {}): Plugin {
  const parsed = parseWithSchema(staticMembershipOptionsSchema, options, 'options of @dynamis/membership-static');
  return definePlugin({
    name: '@dynamis/membership-static',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Membership'],
    needs: ['Config', 'PeerRpc', 'MessageRouter', 'Clock', 'Logger'],
    reads: ['seeds'],
    messages: [PING],
    register: ({ bind }) => {
      bind(MembershipToken)
        .toDynamicValue(
          (ctx) =>
            new StaticMembership(
              ctx.get(ConfigToken),
              parsed,
              ctx.get(PeerRpcToken),
              ctx.get(MessageRouterToken),
              ctx.get(ClockToken),
              ctx.get(LoggerToken).child({ plugin: '@dynamis/membership-static' }),
            ),
        )
        .inSingletonScope();
    },
  });
}
