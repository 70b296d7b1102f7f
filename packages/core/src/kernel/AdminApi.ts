import type { DynamisConfig } from '../config/schema';
import { DynamisError } from '../errors/DynamisError';
import type { AntiEntropy } from '../ports/AntiEntropy';
import type { HintStore } from '../ports/HintStore';
import type { Membership } from '../ports/Membership';
import type { Partitioner } from '../ports/Partitioner';
import type { Rebalancer } from '../ports/Rebalancer';
import type { StorageEngine } from '../ports/StorageEngine';
import {
  ADMIN_MESSAGE,
  ADMIN_REPLY,
  adminLeaveRequestSchema,
  adminRepairRequestSchema,
  adminRingRequestSchema,
  adminStatusRequestSchema,
  type AdminRepair,
  type AdminRing,
  type AdminStatus,
} from './adminProtocol';
import { repairRound } from './adminRepair';
import { ringTable } from './adminRing';
import type { DepartureState } from './Departure';
import type { MessageRouter } from './MessageRouter';

/** The owner the admin message types are declared and registered under. */
export const ADMIN_OWNER = '@dynamis/core:admin-api';

/** What AdminApi reports on; the optional ports are absent when no plugin provides them. */
export interface AdminSources {
  readonly config: DynamisConfig;
  readonly plugins: readonly string[];
  readonly membership?: Membership;
  readonly partitioner?: Partitioner;
  readonly engine?: StorageEngine;
  readonly hints?: HintStore;
  readonly rebalancer?: Rebalancer;
  readonly antiEntropy?: AntiEntropy;
  /** The node's graceful leave (DynamisNode.leave); absent: `client.admin.leave` is INVALID_ARGUMENT. */
  readonly departure?: { state(): DepartureState; begin(): Promise<void> };
}

/**
 * Serves the admin protocol (adminProtocol.ts) to clients: the kernel
 * registers it on a node with a Transport once every plugin started, and
 * unregisters it before stopping them. `status` and `ring` read only;
 * `status` never throws from a source that is not ready (a closed engine's
 * stats are left out). `ring` without a Partitioner, and `repair` without an
 * AntiEntropy (or a Partitioner), are refused MISSING_PROVIDER naming the
 * port. `repair` runs one anti-entropy round (adminRepair.ts) and answers
 * when it is done; one at a time per node: a second one while a round runs
 * is UNAVAILABLE (`details.busy`). `leave` starts the node's graceful leave.
 */
export class AdminApi {
  private registered = false;
  /** True while a repair round requested here runs. */
  private repairing = false;

  constructor(
    private readonly router: MessageRouter,
    private readonly sources: AdminSources,
  ) {}

  /** Registers `client.admin.status`, `.ring`, `.repair` and `.leave` (audience 'clients'). Idempotent. */
  start(): void {
    if (this.registered) return;
    this.router.register(ADMIN_MESSAGE.status, adminStatusRequestSchema, this.onStatus, ADMIN_OWNER, 'clients');
    this.router.register(ADMIN_MESSAGE.ring, adminRingRequestSchema, this.onRing, ADMIN_OWNER, 'clients');
    this.router.register(ADMIN_MESSAGE.repair, adminRepairRequestSchema, this.onRepair, ADMIN_OWNER, 'clients');
    this.router.register(ADMIN_MESSAGE.leave, adminLeaveRequestSchema, this.onLeave, ADMIN_OWNER, 'clients');
    this.registered = true;
  }

  /** Unregisters them (a repair round in progress runs to its end). Idempotent. */
  stop(): void {
    if (!this.registered) return;
    for (const type of Object.values(ADMIN_MESSAGE)) this.router.unregister(type);
    this.registered = false;
  }

  /**
   * Starts this node's leave unless it has already started (the hand-off
   * goes on after the reply); replies with the departure state. The request
   * must name this node. A leave that fails to announce is logged by the
   * node and may be asked again.
   */
  private readonly onLeave = (
    _from: string,
    payload: { nodeId: string },
  ): Promise<{ type: string; payload: { nodeId: string; departure: DepartureState } }> => {
    const self = this.sources.config.nodeId;
    const departure = this.sources.departure;
    try {
      if (payload.nodeId !== self) {
        throw new DynamisError(
          'INVALID_ARGUMENT',
          `leave names node ${payload.nodeId}, but this is node ${self}: send it to the node that should leave`,
        );
      }
      if (departure === undefined) throw new DynamisError('INVALID_ARGUMENT', `node ${self} cannot leave: it is in no cluster`);
      // Refusals known at once are the reply; a later failure is logged by the node (and the leave may be asked again).
      departure.begin().catch(() => undefined);
      return Promise.resolve({ type: ADMIN_REPLY.leave, payload: { nodeId: self, departure: departure.state() } });
    } catch (err) {
      return Promise.reject(err as Error);
    }
  };

  private readonly onStatus = (): Promise<{ type: string; payload: AdminStatus }> =>
    Promise.resolve({ type: ADMIN_REPLY.status, payload: this.status() });

  private readonly onRing = async (): Promise<{ type: string; payload: AdminRing }> => ({ type: ADMIN_REPLY.ring, payload: this.ring() });

  private readonly onRepair = async (_from: string, m: { partition?: number }): Promise<{ type: string; payload: AdminRepair }> => ({
    type: ADMIN_REPLY.repair,
    payload: await this.repair(m.partition),
  });

  /** This node's placement as a table (adminRingSchema); MISSING_PROVIDER without a Partitioner. */
  ring(): AdminRing {
    const { config, partitioner } = this.sources;
    if (partitioner === undefined) throw missing('Partitioner', 'ring');
    return ringTable(config.nodeId, partitioner.placement(), config.replication.n);
  }

  /**
   * Runs one anti-entropy round now (repairRound) over `partition` or every
   * partition this node replicates; resolves with what it did.
   * MISSING_PROVIDER without AntiEntropy or Partitioner; UNAVAILABLE
   * (`busy: true`) while another round requested here runs.
   */
  async repair(partition?: number): Promise<AdminRepair> {
    const { config, partitioner, antiEntropy, membership } = this.sources;
    if (antiEntropy === undefined) throw missing('AntiEntropy', 'repair');
    if (partitioner === undefined) throw missing('Partitioner', 'repair');
    if (this.repairing) {
      throw new DynamisError('UNAVAILABLE', `node ${config.nodeId} is already running a repair round: try again when it ends`, {
        details: { busy: true, node: config.nodeId },
      });
    }
    this.repairing = true;
    try {
      const sources = { self: config.nodeId, n: config.replication.n, antiEntropy, partitioner, membership };
      return await repairRound(sources, partition);
    } finally {
      this.repairing = false;
    }
  }

  /** This node's status now (see adminStatusSchema). */
  status(): AdminStatus {
    const { config, plugins, membership, partitioner, engine, hints, rebalancer } = this.sources;
    const self = config.nodeId;
    const members =
      membership === undefined
        ? [{ id: self, address: '', status: 'up' }]
        : membership
            .members()
            .map((m) => ({ id: m.id, address: m.address, status: m.status, ...(m.zone !== undefined ? { zone: m.zone } : {}) }))
            .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const { n, w, r } = config.replication;
    const status: { -readonly [K in keyof AdminStatus]: AdminStatus[K] } = {
      nodeId: self,
      plugins: [...plugins],
      replication: { n, w, r },
      members,
      ...(this.sources.departure !== undefined ? { departure: this.sources.departure.state() } : {}),
    };
    if (partitioner !== undefined) {
      const placement = partitioner.placement();
      let owned = 0;
      let replicated = 0;
      for (const p of placement.partitions) {
        const list = placement.preferenceList(p.id, n);
        if (list[0] === self) owned++;
        if (list.includes(self)) replicated++;
      }
      status.partitions = { total: placement.partitionCount, owned, replicated };
    }
    if (engine !== undefined) {
      try {
        const s = engine.stats();
        status.engine = { engine: s.engine, approximateBytes: s.approximateBytes, counters: { ...s.counters } };
      } catch {
        // Not open (starting or stopping): left out, as documented.
      }
    }
    if (hints !== undefined) {
      try {
        const pending = { ...hints.stats().pending };
        status.hints = { pending, total: Object.values(pending).reduce((a, b) => a + b, 0) };
      } catch {
        // Not open: left out, like the engine's.
      }
    }
    if (rebalancer !== undefined) {
      const r = rebalancer.progress();
      status.rebalance = {
        placementHash: r.placementHash,
        pending: r.pending,
        streaming: r.streaming,
        done: r.done,
        toDrop: r.toDrop,
        dropped: r.dropped,
        bytesMoved: r.bytesMoved,
        keysMoved: r.keysMoved,
        bytesPerSecond: r.bytesPerSecond,
        settled: r.settled,
        ...(r.etaSeconds !== undefined ? { etaSeconds: r.etaSeconds } : {}),
      };
    }
    return status;
  }
}

/** MISSING_PROVIDER: this node has no plugin providing `port`, which `what` needs. */
function missing(port: string, what: string): DynamisError {
  return new DynamisError('MISSING_PROVIDER', `this node has no ${port} plugin: ${what} is not available here`, { details: { port } });
}
