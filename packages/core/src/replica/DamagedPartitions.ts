import { DynamisError, isDynamisError } from '../errors/DynamisError';
import type { Logger } from '../ports/Logger';
import type { PartitionId } from '../ports/Partitioner';
import type { DamagedRange, StorageEngine } from '../ports/StorageEngine';
import { KeySpace, partitionsInEngineRange } from './keySpace';
import { encodeReplicaLayout, REPLICA_LAYOUT_KEY } from './replicaLayout';

/** Engine key of the unserved-partitions record: 'm' + "replica.unserved" (docs/format.md). */
export const UNSERVED_KEY: Uint8Array = Buffer.concat([Uint8Array.of(KeySpace.meta), Buffer.from('replica.unserved', 'utf8')]);

/** Called (synchronously) with partitions this replica stopped serving because their data was found damaged. */
export type DamagedListener = (partitions: readonly PartitionId[]) => void;

/**
 * The partitions a Replica does not serve because its engine found their
 * data damaged (StorageEngine.damaged), and their cleanup. For each fenced
 * range the engine reports (now, or at start from before a restart):
 *
 * 1. the data partitions it meets become *unserved* at once (the Replica's
 *    reads and scans of them reject UNAVAILABLE `damaged`) and the
 *    listeners hear of them (the Rebalancer then stops counting this node
 *    as their holder and streams them back in);
 * 2. the unserved set is made durable (meta key UNSERVED_KEY, synced), so a
 *    restart keeps refusing them;
 * 3. the fenced range is deleted (the engine syncs it and lifts the fence):
 *    what an older table still held there cannot come back; writes that
 *    arrive afterwards are kept (writes arriving before it failed: a
 *    replica write reads the key first, and the fence refused the read);
 * 4. a layout record inside the range is written again, and so is the
 *    unserved record.
 *
 * A partition is served again when its owner calls `served` (the
 * Rebalancer, once the partition was streamed back in from a replica that
 * holds it) — or, with `releaseOnDelete` (a node without a Rebalancer: the
 * kernel sets it), as soon as its range is deleted; its lost records then
 * come back through anti-entropy and read repair only. Cleanups run one at
 * a time, in order; one that fails (an engine write error) is logged, and
 * its fence and unserved partitions stay until the next start takes the
 * fence up again.
 */
export class DamagedPartitions {
  readonly unserved = new Set<PartitionId>();
  private readonly listeners = new Set<DamagedListener>();
  private chain: Promise<void> = Promise.resolve();
  private releaseOnDelete_ = false;

  constructor(
    private readonly engine: StorageEngine,
    private readonly partitionCount: number,
    private readonly log: Logger,
  ) {}

  /**
   * At start, before anything reads: loads the unserved record (a record
   * that is itself fenced reads as none: the fences below cover it), then
   * takes up every fence in force. Rejects with engine errors other than a
   * fenced read.
   */
  async start(): Promise<void> {
    let bytes: Uint8Array | undefined;
    try {
      bytes = await this.engine.get(UNSERVED_KEY);
    } catch (err) {
      if (!isDynamisError(err, 'CORRUPTION') || err.details?.['damaged'] !== true) throw err;
    }
    if (bytes !== undefined) for (const p of decodeBitmap(bytes, this.partitionCount)) this.unserved.add(p);
    for (const d of this.engine.damaged()) this.take(d);
    this.engine.setDamageListener((d) => this.take(d));
  }

  stop(): Promise<void> {
    this.engine.setDamageListener(undefined);
    return this.chain;
  }

  /** True when a fence in force covers the layout record (the layout check must wait for the cleanup). */
  layoutFenced(): boolean {
    return this.engine.damaged().some((d) => covers(d, REPLICA_LAYOUT_KEY));
  }

  /** Listens for partitions that become unserved; see the class comment. */
  onDamaged(listener: DamagedListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** See the class comment; setting it serves again every partition whose range is already deleted. */
  set releaseOnDelete(on: boolean) {
    this.releaseOnDelete_ = on;
    if (on) this.chain = this.chain.then(() => this.releaseAll());
  }

  /** Serves `p` again (its data was rebuilt) and makes that durable. Rejects with the engine's write error. */
  async served(p: PartitionId): Promise<void> {
    if (!this.unserved.delete(p)) return;
    await this.chain; // after the cleanups under way: never forget a partition a pending cleanup still empties
    await this.persist();
    this.log.info('damaged partition rebuilt: served again', { partition: p });
  }

  /** Resolves once the cleanups queued so far ran (failed ones included); never rejects. */
  settled(): Promise<void> {
    return this.chain;
  }

  /** Throws UNAVAILABLE (`damaged`, `partition`) when `p` is unserved. */
  check(p: PartitionId): void {
    if (this.unserved.size > 0 && this.unserved.has(p)) {
      throw new DynamisError('UNAVAILABLE', `partition ${p} is being rebuilt after damage on this node; read another replica`, {
        details: { damaged: true, partition: p, applied: false },
      });
    }
  }

  private take(d: DamagedRange): void {
    const span = partitionsInEngineRange(d.gte, d.lte, this.partitionCount);
    const partitions: PartitionId[] = [];
    if (span !== undefined) for (let p = span.first; p <= span.last; p++) partitions.push(p);
    for (const p of partitions) this.unserved.add(p);
    this.log.error('stored data damaged: partitions not served until rebuilt', {
      source: d.source,
      reason: d.reason,
      partitions: span === undefined ? 'none' : `${span.first}..${span.last}`,
    });
    if (partitions.length > 0) {
      for (const listener of this.listeners) {
        try {
          listener(partitions);
        } catch (err) {
          this.log.warn('damaged-partitions listener threw', { error: (err as Error).message });
        }
      }
    }
    this.chain = this.chain
      .then(() => this.cleanup(d))
      .catch((err: unknown) => this.log.error('cleanup of a damaged range failed', { error: (err as Error).message }));
  }

  /** Steps 2–4 of the class comment for `d`. */
  private async cleanup(d: DamagedRange): Promise<void> {
    await this.persist();
    await this.engine.deleteRange(d.gte, successor(d.lte), { sync: true });
    if (covers(d, REPLICA_LAYOUT_KEY)) await this.engine.put(REPLICA_LAYOUT_KEY, encodeReplicaLayout(this.partitionCount), { sync: true });
    if (covers(d, UNSERVED_KEY)) await this.persist();
    if (this.releaseOnDelete_) await this.releaseAll();
  }

  private async releaseAll(): Promise<void> {
    if (this.unserved.size === 0 || this.engine.damaged().length > 0) return;
    this.log.warn('damaged partitions served again without a rebuild (no Rebalancer): anti-entropy and read repair restore them', {
      partitions: this.unserved.size,
    });
    this.unserved.clear();
    await this.persist();
  }

  private async persist(): Promise<void> {
    if (this.unserved.size === 0) await this.engine.delete(UNSERVED_KEY, { sync: true });
    else await this.engine.put(UNSERVED_KEY, encodeBitmap(this.unserved, this.partitionCount), { sync: true });
  }
}

function covers(d: DamagedRange, key: Uint8Array): boolean {
  return Buffer.compare(d.gte, key) <= 0 && Buffer.compare(key, d.lte) <= 0;
}

/** The smallest key above `key`: key + 0x00. */
function successor(key: Uint8Array): Uint8Array {
  const out = new Uint8Array(key.length + 1);
  out.set(key);
  return out;
}

function encodeBitmap(set: ReadonlySet<PartitionId>, q: number): Uint8Array {
  const out = new Uint8Array(Math.ceil(q / 8));
  for (const p of set) if (p < q) out[p >> 3]! |= 1 << (p & 7);
  return out;
}

function decodeBitmap(bytes: Uint8Array, q: number): PartitionId[] {
  if (bytes.length !== Math.ceil(q / 8)) {
    throw new DynamisError('CORRUPTION', `unserved-partitions record has ${bytes.length} bytes, expected ${Math.ceil(q / 8)}`, {
      details: { where: 'unserved partitions record' },
    });
  }
  const out: PartitionId[] = [];
  for (let p = 0; p < q; p++) if ((bytes[p >> 3]! & (1 << (p & 7))) !== 0) out.push(p);
  return out;
}
