import {
  AntiEntropyToken,
  ClockToken,
  ConfigToken,
  CoordinatorToken,
  definePlugin,
  HintStoreToken,
  LoggerToken,
  MembershipToken,
  PartitionerToken,
  RebalancerToken,
  StorageEngineToken,
  TransportToken,
  type Plugin,
} from '@dynamis/core';
import type { ServiceIdentifier } from 'inversify';
import { AdminService } from './AdminService';
import { Dashboard } from './Dashboard';
import { meterCoordinator } from './meterCoordinator';
import { OpMeter } from './OpMeter';
import { resolveAdminOptions, type AdminOptionsInput } from './options';

/** The node's admin endpoint (a background service of this plugin); resolve it to read url(). */
export const AdminServiceToken: ServiceIdentifier<AdminService> = Symbol.for('dynamis.admin.AdminService');

/** The node's op meter (what the dashboard's ops/s and latency come from). */
export const OpMeterToken: ServiceIdentifier<OpMeter> = Symbol.for('dynamis.admin.OpMeter');

/**
 * The admin plugin: an HTTP endpoint with /health, /status, Prometheus
 * /metrics and the dashboard (`/`, `/events`) (see AdminService, README).
 * Provides no port; reads the StorageEngine and, when bound, the
 * Coordinator, Transport, HintStore, AntiEntropy, Membership, Partitioner
 * and Rebalancer. The Coordinator, when bound, is metered (meterCoordinator:
 * every put/get/delete/batch the node's Store sends it is timed). Throws
 * INVALID_CONFIG at once for bad options (see options.ts), naming the key.
 */
export function admin(options: AdminOptionsInput = {}): Plugin {
  const resolved = resolveAdminOptions(options);
  return definePlugin({
    name: '@dynamis/admin',
    version: '0.1.0',
    core: '^0.1.0',
    provides: [],
    needs: ['StorageEngine', 'Config', 'Clock', 'Logger'],
    optional: ['Coordinator', 'Transport', 'HintStore', 'AntiEntropy', 'Membership', 'Partitioner', 'Rebalancer'],
    background: [AdminServiceToken],
    register: ({ bind, onActivation }) => {
      bind(OpMeterToken).toConstantValue(new OpMeter());
      onActivation(CoordinatorToken, (ctx, coordinator) => meterCoordinator(coordinator, ctx.get(OpMeterToken), ctx.get(ClockToken)));
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
              new Dashboard(
                {
                  nodeId: ctx.get(ConfigToken).nodeId,
                  replicas: ctx.get(ConfigToken).replication.n,
                  membership: ctx.get(MembershipToken, { optional: true }),
                  partitioner: ctx.get(PartitionerToken, { optional: true }),
                  hints: ctx.get(HintStoreToken, { optional: true }),
                  antiEntropy: ctx.get(AntiEntropyToken, { optional: true }),
                  rebalancer: ctx.get(RebalancerToken, { optional: true }),
                },
                ctx.get(OpMeterToken),
                ctx.get(ClockToken),
              ),
              ctx.get(ClockToken),
              ctx.get(LoggerToken),
            ),
        )
        .inSingletonScope();
    },
  });
}
