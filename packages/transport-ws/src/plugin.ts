import {
  ClockToken,
  ConfigToken,
  definePlugin,
  LoggerToken,
  parseWithSchema,
  RandomToken,
  TransportToken,
  type Plugin,
} from '@dynamis/core';
import { wsTransportOptionsSchema, type WsTransportOptionsInput } from './options';
import { WsTransport } from './WsTransport';

/**
 * The WebSocket Transport plugin. The node id comes from the node config
 * (`nodeId`); host and port default to the config's `listen` unless given
 * here. Throws INVALID_CONFIG at once for bad options (a missing or short
 * `secret` included; the error never contains it).
 */
export function wsTransport(options: WsTransportOptionsInput): Plugin {
  parseWithSchema(wsTransportOptionsSchema, options, 'options of @dynamis/transport-ws');
  return definePlugin({
    name: '@dynamis/transport-ws',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Transport'],
    needs: ['Config', 'Clock', 'Random', 'Logger'],
    reads: ['listen'],
    register: ({ bind }) => {
      bind(TransportToken)
        .toDynamicValue((ctx) => {
          const config = ctx.get(ConfigToken);
          const merged = { ...options, host: options.host ?? config.listen.host, port: options.port ?? config.listen.port };
          return new WsTransport(config.nodeId, merged, ctx.get(ClockToken), ctx.get(RandomToken), ctx.get(LoggerToken));
        })
        .inSingletonScope();
    },
  });
}
