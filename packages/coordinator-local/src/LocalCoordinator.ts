import {
  ClockToken,
  ConfigToken,
  ConflictResolverToken,
  DynamisError,
  liveValues,
  ReplicaToken,
  type CausalContext,
  type Clock,
  type ConflictResolver,
  type Coordinator,
  type DynamisConfig,
  type ReadOptions,
  type ReadResult,
  type Replica,
  type ScanOptions,
  type ScanPage,
  type Sibling,
  type StoreBatchOp,
  type WriteOptions,
  type WriteResult,
  walkScan,
} from '@dynamis/core';
import { inject, injectable } from 'inversify';

/**
 * A Coordinator for a single node: every request is served by the local
 * replica, so every consistency level is satisfied by this one copy (acks = 1).
 *
 * - Conditions (ifAbsent, ifVersion) are checked and the write applied under
 *   the key's lock: on one node they are a true compare-and-set.
 * - batch() is atomic: all keys are written in one engine batch.
 * - scan() walks the local replica's partitions (Coordinator.scan).
 * - Durability is the engine's (engine-lsm: WAL before acknowledging).
 */
@injectable()
export class LocalCoordinator implements Coordinator {
  private readonly nodeId: string;
  private readonly config: DynamisConfig;

  constructor(
    @inject(ReplicaToken) private readonly replica: Replica,
    @inject(ConflictResolverToken) private readonly resolver: ConflictResolver,
    @inject(ClockToken) private readonly clock: Clock,
    @inject(ConfigToken) config: DynamisConfig,
  ) {
    this.nodeId = config.nodeId;
    this.config = config;
  }

  put(key: string, value: Uint8Array, options: WriteOptions): Promise<WriteResult> {
    return this.write(key, value, options);
  }

  delete(key: string, options: WriteOptions): Promise<WriteResult> {
    return this.write(key, null, options);
  }

  async get(key: string, _options: ReadOptions): Promise<ReadResult> {
    const stored = await this.replica.read(key);
    const siblings = liveValues(stored, this.clock.now());
    return { found: siblings.length > 0, siblings, context: this.resolver.context(stored) };
  }

  async batch(ops: readonly StoreBatchOp[], options: WriteOptions): Promise<WriteResult[]> {
    refuseSloppy(options);
    const contexts: CausalContext[] = [];
    await this.replica.applyBatch(
      ops.map((op) => op.key),
      (stored) => {
        const current = new Map(stored);
        const now = this.clock.now();
        for (const op of ops) {
          this.validateContext(op.context, now);
          const local = current.get(op.key) ?? [];
          const sibling = this.sibling(
            op.type === 'put' ? op.value : null,
            op.type === 'put' ? op.ttlMs : undefined,
            op.context,
            local,
            now,
          );
          const merged = this.resolver.merge(local, [sibling]);
          current.set(op.key, merged);
          contexts.push(this.resolver.context([sibling]));
        }
        return current;
      },
    );
    return contexts.map((context) => ({ context, acks: 1 }));
  }

  /**
   * One page of a scan of the local replica (walkScan over its partitions:
   * one on a node without a Partitioner).
   */
  scan(options: ScanOptions): Promise<ScanPage> {
    const fetch = (partition: number, request: Parameters<Replica['scanPage']>[1]) => this.replica.scanPage(partition, request);
    return walkScan(options, this.replica.partitionCount, this.config.limits, fetch, this.resolver, () => this.clock.now());
  }

  private async write(key: string, value: Uint8Array | null, options: WriteOptions): Promise<WriteResult> {
    refuseSloppy(options);
    let written: Sibling | undefined;
    await this.replica.update(key, (stored) => {
      const now = this.clock.now();
      this.validateContext(options.context, now);
      this.validateContext(options.ifVersion, now);
      this.checkCondition(key, stored, options, now);
      written = this.sibling(value, options.ttlMs, options.context ?? options.ifVersion, stored, now);
      return [written];
    });
    return { context: this.resolver.context([written!]), acks: 1 };
  }

  private sibling(
    value: Uint8Array | null,
    ttlMs: number | undefined,
    context: CausalContext | undefined,
    local: readonly Sibling[],
    now: number,
  ): Sibling {
    const version = this.resolver.stamp(this.nodeId, context, local, now);
    const copy = value === null ? null : ownCopy(value);
    return ttlMs === undefined
      ? { version, value: copy, writtenAt: now }
      : { version, value: copy, writtenAt: now, expiresAt: now + ttlMs };
  }

  private checkCondition(key: string, stored: readonly Sibling[], options: WriteOptions, now: number): void {
    if (options.ifAbsent === true && liveValues(stored, now).length > 0) {
      throw new DynamisError('CONFLICT', `put-if-absent failed: key ${JSON.stringify(key)} has a value`, {
        details: { key, condition: 'ifAbsent' },
      });
    }
    if (options.ifVersion !== undefined && !this.resolver.descends(options.ifVersion, stored)) {
      throw new DynamisError('CONFLICT', `put-if-version failed: key ${JSON.stringify(key)} changed since that version was read`, {
        details: { key, condition: 'ifVersion' },
      });
    }
  }

  private validateContext(context: CausalContext | undefined, now: number): void {
    if (context !== undefined && context.length > 0) this.resolver.validateContext(context, now);
  }
}

/**
 * A copy of `value` the caller cannot change later (Replica's listeners may
 * keep the sibling): one memcpy into Node's pooled allocation, neither
 * Uint8Array.from's walk over the elements nor a zero-filled ArrayBuffer of
 * its own per value.
 */
function ownCopy(value: Uint8Array): Uint8Array {
  const out = Buffer.allocUnsafe(value.length);
  out.set(value);
  return out;
}

/** One node has no fallback to hold hints: `sloppyQuorum: true` is refused rather than ignored. */
function refuseSloppy(options: WriteOptions): void {
  if (options.sloppyQuorum === true) {
    throw new DynamisError('INVALID_ARGUMENT', 'sloppyQuorum: true is not supported by the single-node coordinator (no fallback nodes)', {
      details: { option: 'sloppyQuorum' },
    });
  }
}
