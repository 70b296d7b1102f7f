import type { DynamisConfig } from '../config/schema';
import type { HintStore } from '../ports/HintStore';
import type { Membership } from '../ports/Membership';
import type { Partitioner } from '../ports/Partitioner';
import type { Rebalancer } from '../ports/Rebalancer';
import type { StorageEngine } from '../ports/StorageEngine';
import { ADMIN_MESSAGE, ADMIN_REPLY, adminStatusRequestSchema, type AdminStatus } from './adminProtocol';
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
}

/**
 * Serves the read-only admin protocol (adminProtocol.ts) to clients: the
 * kernel registers it on a node with a Transport once every plugin started,
 * and unregisters it before stopping them. Reads only; never throws from a
 * source that is not ready (a closed engine's stats are left out).
 */
export class AdminApi {
  private registered = false;

  constructor(
    private readonly router: MessageRouter,
    private readonly sources: AdminSources,
  ) {}

  /** Registers `client.admin.status` (audience 'clients'). Idempotent. */
  start(): void {
    if (this.registered) return;
    this.router.register(ADMIN_MESSAGE.status, adminStatusRequestSchema, this.onStatus, ADMIN_OWNER, 'clients');
    this.registered = true;
  }

  /** Unregisters it. Idempotent. */
  stop(): void {
    if (!this.registered) return;
    this.router.unregister(ADMIN_MESSAGE.status);
    this.registered = false;
  }

  private readonly onStatus = (): Promise<{ type: string; payload: AdminStatus }> =>
    Promise.resolve({ type: ADMIN_REPLY.status, payload: this.status() });

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
      };
    }
    return status;
  }
}
