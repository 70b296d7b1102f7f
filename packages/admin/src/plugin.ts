import {
  AntiEntropyToken,
  ClockToken,
  ConfigToken,
  CoordinatorToken,
  definePlugin,
  HintStoreToken,
  LoggerToken,
  MembershipToken,
  StorageEngineToken,
  TransportToken,
  type Plugin,
} from '@dynamis/core';
import type { ServiceIdentifier } from 'inversify';
import { AdminService } from './AdminService';
import { resolveAdminOptions, type AdminOptionsInput } from './options';

/** The node's admin endpoint (a background service of this plugin); resolve it to read url(). */
export const AdminServiceToken: ServiceIdentifier<AdminService> = Symbol.for('dynamis.admin.AdminService');

/**
 * The admin plugin: an HTTP endpoint with /health, /status and Prometheus
 * /metrics (see AdminService, README). Provides no port; reads the
 * StorageEngine and, when bound, the Coordinator, Transport, HintStore,
 * AntiEntropy and Membership. Throws INVALID_CONFIG at once for bad options
 * (see options.ts), naming the key.
 */
export function admin(options: AdminOptionsInput = {}): Plugin {
  const resolved = resolveAdminOptions(options);
  return definePlugin({
    name: '@dynamis/admin',
    version: '0.1.0',
    core: '^0.1.0',
    provides: [],
    needs: ['StorageEngine', 'Config', 'Clock', 'Logger'],
    optional: ['Coordinator', 'Transport', 'HintStore', 'AntiEntropy', 'Membership'],
    background: [AdminServiceToken],
    register: ({ bind }) => {
      bind(AdminServiceToken)
        .toDynamicValue(
          (ctx) =>
            new AdminService(
              resolved,
              {
                nodeId: ctx.get(ConfigToken).nodeId,
                engine: ctx.get(StorageEngineToken),
                coordinator: ctx.get(CoordinatorToken, { optional: true }),
                transport: ctx.get(TransportToken, { optional: true }),
                hints: ctx.get(HintStoreToken, { optional: true }),
                antiEntropy: ctx.get(AntiEntropyToken, { optional: true }),
                membership: ctx.get(MembershipToken, { optional: true }),
              },
              ctx.get(ClockToken),
              ctx.get(LoggerToken),
            ),
        )
        .inSingletonScope();
    },
  });
}
