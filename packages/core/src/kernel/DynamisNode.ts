import 'reflect-metadata';
import { Container, ContainerModule } from 'inversify';
import { checkUnreadSections } from '../config/configSections';
import { ConfigToken, parseConfig } from '../config/parseConfig';
import type { DynamisConfig, DynamisConfigInput } from '../config/schema';
import { ConsoleLogger } from '../env/ConsoleLogger';
import { NodeFileSystem } from '../env/NodeFileSystem';
import { SystemClock } from '../env/SystemClock';
import { SystemRandom } from '../env/SystemRandom';
import { DynamisError, isDynamisError } from '../errors/DynamisError';
import { ClockToken, type Clock } from '../ports/Clock';
import { isLifecycle, type Lifecycle } from '../ports/Lifecycle';
import { LoggerToken, type Logger } from '../ports/Logger';
import type { Transport } from '../ports/Transport';
import { Replica, ReplicaToken } from '../replica/Replica';
import { ReplicaClient, ReplicaClientToken } from '../replica/ReplicaClient';
import { ReplicaService, ReplicaServiceToken } from '../replica/ReplicaService';
import { HintStoreToken } from '../ports/HintStore';
import { AntiEntropyToken } from '../ports/AntiEntropy';
import { RebalancerToken } from '../ports/Rebalancer';
import { MembershipToken } from '../ports/Membership';
import { PartitionerToken } from '../ports/Partitioner';
import { StorageEngineToken } from '../ports/StorageEngine';
import { AdminApi, ADMIN_OWNER } from './AdminApi';
import { ADMIN_MESSAGE } from './adminProtocol';
import { ClientApi, ClientApiToken } from './ClientApi';
import { Departure, type DepartureState } from './Departure';
import { MessageRouter, MessageRouterToken } from './MessageRouter';
import { PeerAddressSync, PeerAddressSyncToken } from './PeerAddressSync';
import { PeerRpc, PeerRpcToken } from './PeerRpc';
import type { Plugin, PluginManifest } from './Plugin';
import { ENV_UNIT_NAME, planComposition, type Unit } from './planComposition';
import { PORTS } from './ports';
import { Store, StoreToken } from './Store';

export type NodeState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

interface Started {
  readonly unit: Unit;
  readonly services: Lifecycle[];
}

/**
 * A node: the composition root. `createNode` validates the config and the
 * plugin set (throwing the composition errors of planComposition), then
 * `start()` starts every unit in dependency order and `stop()` stops them in
 * reverse, each under the configured timeout, naming the plugin that failed.
 */
export class DynamisNode {
  private state_: NodeState = 'created';
  private started: Started[] = [];
  private admin: AdminApi | undefined;
  private departure: Departure | undefined;
  private readonly leftSignal: { promise: Promise<void>; resolve: () => void };

  private constructor(
    readonly config: DynamisConfig,
    private readonly container: Container,
    private readonly units: readonly Unit[],
  ) {
    let resolve!: () => void;
    const promise = new Promise<void>((r) => (resolve = r));
    this.leftSignal = { promise, resolve };
  }

  /**
   * Validates and composes; does not start anything. INVALID_CONFIG for a bad
   * config, or one that sets a section no plugin reads (configSections.ts).
   */
  static async create(configInput: DynamisConfigInput | unknown, plugins: readonly Plugin[]): Promise<DynamisNode> {
    const config = parseConfig(configInput);
    const units = planComposition(plugins);
    checkUnreadSections(configInput, plugins);
    const container = new Container({ defaultScope: 'Singleton' });
    container.bind(ConfigToken).toConstantValue(config);
    await container.load(
      kernelModule(
        units.find((u) => u.name === ENV_UNIT_NAME)!,
        config,
      ),
    );
    for (const unit of units) {
      if (unit.plugin === undefined) continue;
      try {
        await container.load(unit.plugin.module);
      } catch (err) {
        throw new DynamisError('PLUGIN_FAILED', `Plugin ${unit.name} failed to register: ${(err as Error).message}`, {
          cause: err,
          details: { plugin: unit.name },
        });
      }
      for (const token of unit.plugin.background ?? []) {
        if (!container.isBound(token)) {
          throw new DynamisError(
            'PLUGIN_FAILED',
            `Plugin ${unit.name} declares a background service ${String(token)} but did not bind it`,
            { details: { plugin: unit.name } },
          );
        }
      }
      for (const port of unit.provides) {
        if (!container.isBound(PORTS[port].token)) {
          throw new DynamisError('PLUGIN_FAILED', `Plugin ${unit.name} declares that it provides ${port} but did not bind it`, {
            details: { plugin: unit.name, port },
          });
        }
      }
    }
    const router = container.get(MessageRouterToken);
    for (const unit of units) router.declare(unit.messages ?? [], unit.name);
    router.declare(Object.values(ADMIN_MESSAGE), ADMIN_OWNER);
    return new DynamisNode(config, container, units);
  }

  get state(): NodeState {
    return this.state_;
  }

  /** The validated public store API. */
  get store(): Store {
    return this.container.get(StoreToken);
  }

  /** Manifests of the plugins in this node, in start order. */
  get plugins(): PluginManifest[] {
    return this.units.flatMap((u) => (u.plugin === undefined ? [] : [manifestOf(u.plugin)]));
  }

  /**
   * Resolves a service. For composition roots, harnesses and tests only:
   * application code receives its collaborators through constructors.
   */
  resolve<T>(token: import('inversify').ServiceIdentifier<T>): T {
    return this.container.get(token);
  }

  /**
   * Starts every unit in dependency order. If one fails or exceeds
   * timeouts.pluginStartMs, the ones already started are stopped in reverse
   * and PLUGIN_FAILED (or TIMEOUT) naming the plugin is thrown.
   */
  async start(): Promise<void> {
    if (this.state_ !== 'created') throw new DynamisError('INVALID_ARGUMENT', `Cannot start a node that is ${this.state_}`);
    this.state_ = 'starting';
    const logger = this.container.get(LoggerToken);
    const router = this.container.get(MessageRouterToken);
    for (const unit of this.units) {
      const services: Lifecycle[] = [];
      try {
        const tokens = [...unit.provides.map((port) => PORTS[port].token), ...(unit.plugin?.background ?? [])];
        for (const token of tokens) {
          const service = this.container.get(token);
          if (token === PORTS.Transport.token) (service as unknown as Transport).setHandler(router.dispatch);
          if (isLifecycle(service) && !this.started.some((s) => s.services.includes(service)) && !services.includes(service)) {
            services.push(service);
            await this.withTimeout(service.start(), this.config.timeouts.pluginStartMs, unit.name, 'start');
          }
        }
      } catch (err) {
        this.started.push({ unit, services });
        this.state_ = 'failed';
        logger.error('plugin failed to start', { plugin: unit.name, error: String(err) });
        await this.stopAll().catch(() => undefined);
        this.state_ = 'failed';
        throw isDynamisError(err, 'TIMEOUT')
          ? err
          : new DynamisError('PLUGIN_FAILED', `Plugin ${unit.name} failed to start: ${(err as Error).message}`, {
              cause: err,
              details: { plugin: unit.name },
            });
      }
      this.started.push({ unit, services });
    }
    // Without a Rebalancer nothing streams a damaged partition back in: serve it again once its range is deleted.
    const replicaStarted = this.started.some((s) => s.unit.provides.includes('Replica'));
    if (replicaStarted && !this.container.isBound(RebalancerToken)) this.container.get(ReplicaToken).releaseDamagedOnDelete();
    this.startAdmin(router);
    this.state_ = 'running';
    logger.info('node started', { nodeId: this.config.nodeId, plugins: this.plugins.map((p) => p.name) });
  }

  /**
   * Stops every started unit in reverse order, each under
   * timeouts.pluginStopMs. Every unit is attempted even if one fails; the
   * first failure is then thrown (PLUGIN_FAILED or TIMEOUT naming the plugin).
   * Idempotent.
   */
  async stop(): Promise<void> {
    if (this.state_ === 'stopped' || this.state_ === 'created') {
      this.state_ = 'stopped';
      return;
    }
    this.state_ = 'stopping';
    try {
      await this.stopAll();
    } finally {
      this.state_ = 'stopped';
    }
  }

  /**
   * Leaves the cluster for good (Departure.ts): announces the leave, then
   * resolves once this node's partitions are handed off; the node keeps
   * running (serving the streams) until the caller stops it. Idempotent
   * while under way (every call returns the same promise). Rejects
   * INVALID_ARGUMENT when the node is not running, has no Membership, or has
   * already left (see beginLeave); as Membership.leave otherwise.
   */
  leave(): Promise<void> {
    try {
      return this.beginLeave();
    } catch (err) {
      return Promise.reject(err as Error);
    }
  }

  /** leave(), but the refusals known at once are thrown synchronously (for the admin protocol's reply). */
  beginLeave(): Promise<void> {
    if (this.departure === undefined) {
      if (this.state_ !== 'running') throw new DynamisError('INVALID_ARGUMENT', `Cannot leave: the node is ${this.state_}`);
      if (!this.container.isBound(MembershipToken)) {
        throw new DynamisError('INVALID_ARGUMENT', 'Cannot leave: this node has no Membership (it is in no cluster)');
      }
      const optional = <T>(token: import('inversify').ServiceIdentifier<T>): T | undefined =>
        this.container.isBound(token) ? this.container.get(token) : undefined;
      this.departure = new Departure({
        self: this.config.nodeId,
        membership: this.container.get(MembershipToken),
        partitioner: optional(PartitionerToken),
        rebalancer: optional(RebalancerToken),
        clock: this.container.get(ClockToken),
        logger: this.container.get(LoggerToken),
        pollMs: 100,
      });
    }
    const done = this.departure.begin();
    done.then(this.leftSignal.resolve, () => undefined);
    return done;
  }

  /** 'member' until leave() is called, then 'handing-off', then 'left'. */
  get departureState(): DepartureState {
    return this.departure?.state ?? 'member';
  }

  /** Resolves when a leave() (from any caller, e.g. the admin protocol) completed: the node may stop. Never rejects. */
  get left(): Promise<void> {
    return this.leftSignal.promise;
  }

  /** The read-only admin protocol (AdminApi.ts), on a node with a Transport, once every unit started. */
  private startAdmin(router: MessageRouter): void {
    if (!this.container.isBound(PORTS.Transport.token)) return;
    const optional = <T>(token: import('inversify').ServiceIdentifier<T>): T | undefined =>
      this.container.isBound(token) ? this.container.get(token) : undefined;
    this.admin = new AdminApi(router, {
      config: this.config,
      plugins: this.plugins.map((p) => p.name),
      membership: optional(MembershipToken),
      partitioner: optional(PartitionerToken),
      engine: optional(StorageEngineToken),
      hints: optional(HintStoreToken),
      rebalancer: optional(RebalancerToken),
      departure: {
        state: () => this.departureState,
        begin: () => this.beginLeave(),
      },
      antiEntropy: optional(AntiEntropyToken),
    });
    this.admin.start();
  }

  private async stopAll(): Promise<void> {
    this.departure?.cancel();
    this.admin?.stop();
    let first: unknown;
    for (const { unit, services } of this.started.reverse()) {
      for (const service of [...services].reverse()) {
        try {
          await this.withTimeout(service.stop(), this.config.timeouts.pluginStopMs, unit.name, 'stop');
        } catch (err) {
          first ??=
            isDynamisError(err) && err.code === 'TIMEOUT'
              ? err
              : new DynamisError('PLUGIN_FAILED', `Plugin ${unit.name} failed to stop: ${(err as Error).message}`, {
                  cause: err,
                  details: { plugin: unit.name },
                });
        }
      }
    }
    this.started = [];
    if (first !== undefined) throw first;
  }

  private withTimeout(work: Promise<void>, ms: number, plugin: string, phase: 'start' | 'stop'): Promise<void> {
    const clock: Clock = this.container.get(ClockToken);
    return new Promise<void>((resolve, reject) => {
      const timer = clock.setTimer(ms, () =>
        reject(new DynamisError('TIMEOUT', `Plugin ${plugin} did not ${phase} within ${ms} ms`, { details: { plugin, phase, ms } })),
      );
      work.then(
        () => {
          timer.cancel();
          resolve();
        },
        (err: unknown) => {
          timer.cancel();
          reject(err);
        },
      );
    });
  }
}

/** Composes a node from a config and plugins (see DynamisNode.create). */
export function createNode(config: DynamisConfigInput | unknown, plugins: readonly Plugin[]): Promise<DynamisNode> {
  return DynamisNode.create(config, plugins);
}

function kernelModule(env: Unit, config: DynamisConfig): ContainerModule {
  return new ContainerModule(({ bind }) => {
    bind(MessageRouterToken).to(MessageRouter).inSingletonScope();
    bind(ReplicaToken).to(Replica).inSingletonScope();
    bind(StoreToken).to(Store).inSingletonScope();
    bind(ClientApiToken).to(ClientApi).inSingletonScope();
    bind(PeerRpcToken).to(PeerRpc).inSingletonScope();
    bind(ReplicaServiceToken).to(ReplicaService).inSingletonScope();
    bind(ReplicaClientToken).to(ReplicaClient).inSingletonScope();
    bind(PeerAddressSyncToken).to(PeerAddressSync).inSingletonScope();
    for (const port of env.provides) {
      if (port === 'Clock') bind(ClockToken).to(SystemClock).inSingletonScope();
      else if (port === 'Random') bind(PORTS.Random.token).to(SystemRandom).inSingletonScope();
      else if (port === 'FileSystem') bind(PORTS.FileSystem.token).toConstantValue(new NodeFileSystem());
      else if (port === 'Logger') bind(LoggerToken).toConstantValue(new ConsoleLogger(config.log.level, { node: config.nodeId }) as Logger);
    }
  });
}

function manifestOf(p: Plugin): PluginManifest {
  const { module: _module, ...manifest } = p;
  return manifest;
}
