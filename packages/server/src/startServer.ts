import { ClientApiToken, createNode, DynamisError, LoggerToken, TransportToken, type DynamisNode, type Plugin } from '@dynamis/core';
import { lwwResolver } from '@dynamis/conflict-lww';
import { vclockResolver, type VclockPluginOptions } from '@dynamis/conflict-vclock';
import { localCoordinator } from '@dynamis/coordinator-local';
import { lsmEngine, type LsmOptions } from '@dynamis/engine-lsm';
import { memoryEngine, type MemoryEngineOptions } from '@dynamis/engine-memory';
import { admin, AdminServiceToken, type AdminOptionsInput } from '@dynamis/admin';
import { antiEntropy, type AntiEntropyOptionsInput } from '@dynamis/anti-entropy';
import { gossipMembership, type GossipOptionsInput } from '@dynamis/gossip';
import { hintedHandoff, type HintedHandoffOptionsInput } from '@dynamis/hinted-handoff';
import { staticMembership, type StaticMembershipOptionsInput } from '@dynamis/membership-static';
import { quorumCoordinator } from '@dynamis/quorum';
import { rebalance, type RebalanceOptionsInput } from '@dynamis/rebalance';
import { ringPartitioner, type RingOptions } from '@dynamis/ring';
import { pinoLogger } from '@dynamis/log-pino';
import { wsTransport } from '@dynamis/transport-ws';
import { plaintextWarning } from './plaintextWarning';
import { resolveServerConfig, type ClusterPlugins, type ResolvedServerConfig, type ServerConfigInput } from './serverConfig';

/** A running node process' handle. */
export interface DynamisServer {
  readonly node: DynamisNode;
  /** Where clients and peers connect: ws://host:port, or wss://host:port with transport.tls (the bound port when listen.port is 0). */
  readonly address: string;
  /** The admin endpoint's URL (http://host:port/) when config.admin is set, else undefined. */
  readonly adminUrl: string | undefined;
  /**
   * Graceful stop: refuses new client requests (UNAVAILABLE, marked not
   * applied, so clients may retry elsewhere), waits for the ones in flight to
   * be answered (at most timeouts.requestMs), keeps refusing for
   * shutdownLingerMs so that requests already on the wire get that clean
   * answer, then closes the listener and every connection, stops the
   * coordinator and closes the engine (which flushes). Idempotent; rejects with
   * the first plugin failure (PLUGIN_FAILED or TIMEOUT naming it) after
   * attempting every stop.
   */
  stop(): Promise<void>;
}

export interface StartServerOptions {
  /** Environment for DYNAMIS_SECRET and DYNAMIS_CLIENT_TOKEN. Default: none (pass process.env from a CLI). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Where the node's log lines go (anything with `write(line)`); default stderr. For embedders and tests. */
  readonly logDestination?: { write(line: string): void };
}

/**
 * Composes and starts a node from `config`: the chosen engine (engine-memory,
 * or engine-lsm in `engineOptions.dir` or `${dataDir}/engine`), the chosen
 * resolver (conflict-lww or conflict-vclock), the chosen coordinator
 * (coordinator-local, or quorum + ring + membership + hinted-handoff + anti-entropy + rebalance) and @dynamis/transport-ws
 * listening on `listen` (serving the client API, core's ClientApi). Throws
 * INVALID_CONFIG (bad config, missing secret, bad plugin options),
 * the composition errors of createNode, or PLUGIN_FAILED/TIMEOUT naming the
 * plugin that failed to start (UNAVAILABLE inside when the port is taken).
 * A node serving plain ws on a non-loopback address logs one warning at
 * start (plaintextWarning).
 */
export async function startServer(config: ServerConfigInput | unknown, options: StartServerOptions = {}): Promise<DynamisServer> {
  const resolved = resolveServerConfig(config, options.env ?? {});
  // The node's log lines: pino at log.level (JSON lines, or pretty on a terminal: logFormat).
  const node = await createNode(resolved.node, [pinoLogger({ format: resolved.logFormat }, options.logDestination), ...plugins(resolved)]);
  await node.start();
  const address = node.resolve(TransportToken).address();
  if (address === undefined) {
    await node.stop();
    throw new DynamisError('UNAVAILABLE', 'the transport started but reports no address');
  }
  const warning = plaintextWarning(address, resolved.transport.tls);
  if (warning !== undefined) node.resolve(LoggerToken).warn(warning, { component: 'server' });
  let stopping: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    await node.resolve(ClientApiToken).drain(resolved.shutdownLingerMs);
    await node.stop();
  };
  const adminUrl = resolved.admin === undefined ? undefined : node.resolve(AdminServiceToken).url();
  return { node, address, adminUrl, stop: () => (stopping ??= stop()) };
}

/**
 * The plugin list for `config`: engine, resolver, transport-ws and either
 * coordinator-local or, for coordinator 'quorum', quorum + ring + the
 * membership chosen (static or gossip) + hinted-handoff, anti-entropy and
 * rebalance when on. Throws INVALID_CONFIG for bad plugin options (naming the
 * plugin and key); LWW takes no options, so resolverOptions with 'lww' are refused.
 */
export function plugins(config: ResolvedServerConfig): Plugin[] {
  const transport = wsTransport({ ...config.transport, secret: config.secret, clientTokens: { ...config.clientTokens } });
  const engine =
    config.engine === 'lsm' ? lsmEngine(config.engineOptions as LsmOptions) : memoryEngine(config.engineOptions as MemoryEngineOptions);
  if (config.resolver === 'lww' && Object.keys(config.resolverOptions).length > 0) {
    throw new DynamisError('INVALID_CONFIG', "Invalid server config:\n  - resolverOptions: resolver 'lww' takes no options", {
      details: { problems: [{ path: 'resolverOptions', message: "resolver 'lww' takes no options" }] },
    });
  }
  const resolver = config.resolver === 'vclock' ? vclockResolver(config.resolverOptions as VclockPluginOptions) : lwwResolver();
  const cluster =
    config.coordinator === 'quorum'
      ? [ringPartitioner(config.ring as RingOptions), ...clusterPlugins(config.cluster), quorumCoordinator()]
      : [localCoordinator()];
  const extras = config.admin === undefined ? [] : [admin(config.admin as AdminOptionsInput)];
  return [engine, resolver, ...cluster, transport, ...extras];
}

/** The membership plugin and the self-healing ones `cluster` turns on (each factory validates its options: INVALID_CONFIG naming the plugin and key). */
function clusterPlugins(cluster: ClusterPlugins): Plugin[] {
  const list: Plugin[] = [
    cluster.membership === 'static'
      ? staticMembership(cluster.membershipOptions as StaticMembershipOptionsInput)
      : gossipMembership(cluster.membershipOptions as GossipOptionsInput),
  ];
  if (cluster.hintedHandoff) list.push(hintedHandoff(cluster.hintedHandoffOptions as HintedHandoffOptionsInput));
  if (cluster.antiEntropy) list.push(antiEntropy(cluster.antiEntropyOptions as AntiEntropyOptionsInput));
  if (cluster.rebalance) list.push(rebalance(cluster.rebalanceOptions as RebalanceOptionsInput));
  return list;
}
