import {
  ClockToken,
  ConfigToken,
  ConflictResolverToken,
  definePlugin,
  DynamisError,
  HINT_MESSAGE,
  HintStoreToken,
  MessageRouterToken,
  LoggerToken,
  MembershipToken,
  parseWithSchema,
  PartitionerToken,
  ReplicaClientToken,
  StorageEngineToken,
  type Plugin,
} from '@dynamis/core';
import type { ServiceIdentifier } from 'inversify';
import { EngineHintStore } from './EngineHintStore';
import { HintDelivery } from './HintDelivery';
import { HintService } from './HintService';
import { HINT_STATS_MESSAGE } from './statsProtocol';
import { hintedHandoffOptionsSchema, type HintedHandoffOptionsInput } from './options';

const NAME = '@dynamis/hinted-handoff';

/** The node's HintDelivery (a background service of this plugin). */
export const HintDeliveryToken: ServiceIdentifier<HintDelivery> = Symbol.for('dynamis.hinted-handoff.HintDelivery');
/** The node's HintService (serves `hints.store`; a background service of this plugin). */
export const HintServiceToken: ServiceIdentifier<HintService> = Symbol.for('dynamis.hinted-handoff.HintService');

/**
 * A hint delivered after the target purged a newer tombstone of its key
 * would bring the deleted value back: the window must end before the grace.
 */
function checkWindow(windowMs: number, graceMs: number): void {
  if (windowMs < graceMs) return;
  throw new DynamisError(
    'INVALID_CONFIG',
    `${NAME}: windowMs (${windowMs}) must be less than the node config's tombstones.graceMs (${graceMs}), or a late hint could resurrect a purged delete`,
    { details: { problems: [{ path: 'windowMs', message: `must be less than tombstones.graceMs (${graceMs})` }] } },
  );
}

/**
 * The hinted-handoff plugin: provides the HintStore (EngineHintStore, hints
 * in the node's StorageEngine) and runs in the background (started after
 * the ports, stopped before them) the HintService, which serves the hint
 * protocol (`hints.store`, for sloppy-quorum coordinators), and HintDelivery. Throws INVALID_CONFIG at
 * once for bad options (see options.ts); a `windowMs` not below the node
 * config's `tombstones.graceMs` fails the node's start (PLUGIN_FAILED whose
 * cause is INVALID_CONFIG).
 */
export function hintedHandoff(options: HintedHandoffOptionsInput = {}): Plugin {
  const o = parseWithSchema(hintedHandoffOptionsSchema, options, `options of ${NAME}`);
  const storeOptions = {
    maxHintsPerTarget: o.maxHintsPerTarget,
    maxBytesPerTarget: o.maxBytesPerTarget,
    windowMs: o.windowMs,
    maxTargets: o.maxTargets,
    sync: o.sync,
  };
  const deliveryOptions = {
    batchSize: o.batchSize,
    maxBatchBytes: o.maxBatchBytes,
    maxBytesPerSecond: o.maxBytesPerSecond,
    checkIntervalMs: o.checkIntervalMs,
  };
  return definePlugin({
    name: NAME,
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['HintStore'],
    needs: ['StorageEngine', 'ConflictResolver', 'Clock', 'Logger', 'Config', 'Membership', 'ReplicaClient', 'MessageRouter'],
    messages: [HINT_MESSAGE.store, HINT_STATS_MESSAGE],
    background: [HintServiceToken, HintDeliveryToken],
    register: ({ bind }) => {
      bind(HintStoreToken)
        .toDynamicValue((ctx) => {
          const config = ctx.get(ConfigToken);
          checkWindow(o.windowMs, config.tombstones.graceMs);
          return new EngineHintStore(
            ctx.get(StorageEngineToken),
            ctx.get(ConflictResolverToken),
            ctx.get(ClockToken),
            ctx.get(LoggerToken).child({ plugin: NAME }),
            storeOptions,
            config.limits,
          );
        })
        .inSingletonScope();
      bind(HintDeliveryToken)
        .toDynamicValue(
          (ctx) =>
            new HintDelivery(
              ctx.get(HintStoreToken) as EngineHintStore,
              ctx.get(MembershipToken),
              ctx.get(ReplicaClientToken),
              ctx.get(ClockToken),
              ctx.get(LoggerToken).child({ plugin: NAME, component: 'hint-delivery' }),
              deliveryOptions,
              ctx.get(ConfigToken).limits,
            ),
        )
        .inSingletonScope();
      bind(HintServiceToken)
        .toDynamicValue((ctx) => {
          const config = ctx.get(ConfigToken);
          const view = {
            self: config.nodeId,
            membership: ctx.get(MembershipToken),
            partitioner: ctx.get(PartitionerToken, { optional: true }),
            n: config.replication.n,
          };
          return new HintService(ctx.get(HintStoreToken), ctx.get(MessageRouterToken), view, ctx.get(LoggerToken).child({ plugin: NAME }));
        })
        .inSingletonScope();
    },
  });
}
