import { DynamisError, type NodeId, type PartitionId, type ReplicaCallOptions, type ReplicaClient, type Sibling } from '@dynamis/core';

/** Most keys in one coalesced replica.readBatch / replica.writeBatch (further calls start a new batch); never above limits.maxBatchOps. */
export const MAX_COALESCED_KEYS = 128;
/** Most key, value and version bytes in one coalesced writeBatch; a bigger write travels alone. */
export const MAX_COALESCED_BYTES = 256 * 1024;

/** Codes that name one bad entry rather than the node: a batch failing so is retried entry by entry. */
const PER_ENTRY = new Set(['INVALID_ARGUMENT', 'INVALID_KEY', 'PROTOCOL_ERROR', 'VALUE_TOO_LARGE']);

interface Pending<T> {
  readonly key: string;
  readonly partition: PartitionId | undefined;
  readonly siblings: readonly Sibling[];
  readonly bytes: number;
  resolve(value: T): void;
  reject(err: unknown): void;
}

/** What a queue's calls are: full reads, digest reads, writes. */
type Kind = 'read' | 'digest' | 'write';

/** The options of a call with no timeout: shared (ReplicaClient only reads them). */
const NO_OPTIONS: ReplicaCallOptions = Object.freeze({});

interface Queue<T> {
  readonly kind: Kind;
  readonly node: NodeId;
  readonly timeoutMs: number | undefined;
  readonly items: Pending<T>[];
  bytes: number;
}

/**
 * Coalesces the coordinator's replica calls per destination: the reads (the
 * digest reads, the writes) addressed to one node with one timeout in the
 * same tick (before the microtask queue drains) travel as one
 * replica.readBatch (readBatch with `digest: true`, writeBatch) frame instead
 * of one frame each, and each caller gets its own key's answer back, exactly
 * what ReplicaClient.read (readDigest, write) would have resolved with.
 *
 * - Bounds: a batch holds at most MAX_COALESCED_KEYS keys (and never more
 *   than limits.maxBatchOps) and MAX_COALESCED_BYTES of keys, values and
 *   versions; a call beyond either starts the next batch. A batch of one is
 *   sent as a plain read / write.
 * - Failures: a batch that fails as a whole for the node's sake (TIMEOUT,
 *   UNAVAILABLE, …) fails each of its calls with that error, as separate
 *   calls to that node would have failed. A batch refused for its content
 *   (INVALID_ARGUMENT, INVALID_KEY, VALUE_TOO_LARGE, PROTOCOL_ERROR: one bad
 *   entry rejects an atomic writeBatch whole) is re-sent call by call, so
 *   only the bad one fails; re-sending a write that did land changes nothing
 *   (merging the same siblings again is idempotent).
 * - Ordering: calls to one node of one kind leave in call order; at the end
 *   of a tick the reads are sent first, then the digest reads, then the writes.
 */
export class ReplicaBatcher {
  private readonly reads = new Map<string, Queue<Sibling[]>>();
  private readonly digests = new Map<string, Queue<Uint8Array>>();
  private readonly writes = new Map<string, Queue<number>>();
  private scheduled = false;

  private readonly maxKeys: number;

  /** `maxBatchOps`: the cluster's limits.maxBatchOps (a batch is never longer than a replica accepts). */
  constructor(
    private readonly replicas: ReplicaClient,
    maxBatchOps: number,
  ) {
    this.maxKeys = Math.max(1, Math.min(MAX_COALESCED_KEYS, maxBatchOps));
  }

  /** ReplicaClient.read, coalesced; `partition` (the key's own) travels with the key. */
  read(node: NodeId, key: string, options: ReplicaCallOptions = {}, partition?: PartitionId): Promise<Sibling[]> {
    return this.enqueue(this.reads, 'read', node, key, partition, [], 0, options.timeoutMs);
  }

  /** ReplicaClient.readDigest, coalesced; `partition` (the key's own) travels with the key. */
  digest(node: NodeId, key: string, options: ReplicaCallOptions = {}, partition?: PartitionId): Promise<Uint8Array> {
    return this.enqueue(this.digests, 'digest', node, key, partition, [], 0, options.timeoutMs);
  }

  /** ReplicaClient.write, coalesced; `partition` (the key's own) travels with the key. */
  write(
    node: NodeId,
    key: string,
    siblings: readonly Sibling[],
    options: ReplicaCallOptions = {},
    partition?: PartitionId,
  ): Promise<number> {
    let bytes = key.length;
    for (const s of siblings) bytes += s.version.length + (s.value?.length ?? 0);
    return this.enqueue(this.writes, 'write', node, key, partition, siblings, bytes, options.timeoutMs);
  }

  private enqueue<T>(
    queues: Map<string, Queue<T>>,
    kind: Kind,
    node: NodeId,
    key: string,
    partition: PartitionId | undefined,
    siblings: readonly Sibling[],
    bytes: number,
    timeoutMs: number | undefined,
  ): Promise<T> {
    const id = timeoutMs === undefined ? node : `${node}\0${timeoutMs}`;
    let queue = queues.get(id);
    if (queue !== undefined && (queue.items.length >= this.maxKeys || queue.bytes + bytes > MAX_COALESCED_BYTES)) {
      queues.delete(id);
      this.send(queue);
      queue = undefined;
    }
    if (queue === undefined) {
      queue = { kind, node, timeoutMs, items: [], bytes: 0 };
      queues.set(id, queue);
    }
    queue.bytes += bytes;
    const q = queue;
    const promise = new Promise<T>((resolve, reject) => q.items.push({ key, partition, siblings, bytes, resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      queueMicrotask(this.flush);
    }
    return promise;
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    this.sendAll(this.reads);
    this.sendAll(this.digests);
    this.sendAll(this.writes);
  };

  private sendAll<T>(queues: Map<string, Queue<T>>): void {
    if (queues.size === 0) return;
    for (const queue of queues.values()) this.send(queue);
    queues.clear();
  }

  private send<T>(queue: Queue<T>): void {
    const options = queue.timeoutMs === undefined ? NO_OPTIONS : { timeoutMs: queue.timeoutMs };
    const items = queue.items;
    const kind = queue.kind;
    if (items.length === 1) {
      this.single(queue.node, items[0]!, kind, options);
      return;
    }
    const partitions = (): PartitionId[] | undefined =>
      items.every((i) => i.partition !== undefined) ? items.map((i) => i.partition!) : undefined;
    const batch: Promise<unknown[]> =
      kind === 'read'
        ? this.replicas.readBatch(
            queue.node,
            items.map((i) => i.key),
            options,
            partitions(),
          )
        : kind === 'digest'
          ? this.replicas.readDigestBatch(
              queue.node,
              items.map((i) => i.key),
              options,
              partitions(),
            )
          : this.replicas.writeBatch(
              queue.node,
              items.map((i) => ({ key: i.key, siblings: i.siblings, partition: i.partition })),
              options,
            );
    batch.then(
      (results) => {
        for (let i = 0; i < items.length; i++) items[i]!.resolve(results[i] as T);
      },
      (err: unknown) => {
        if (err instanceof DynamisError && PER_ENTRY.has(err.code)) {
          for (const item of items) this.single(queue.node, item, kind, options);
        } else {
          for (const item of items) item.reject(err);
        }
      },
    );
  }

  private single<T>(node: NodeId, item: Pending<T>, kind: Kind, options: ReplicaCallOptions): void {
    const call =
      kind === 'read'
        ? this.replicas.read(node, item.key, options, item.partition)
        : kind === 'digest'
          ? this.replicas.readDigest(node, item.key, options, item.partition)
          : this.replicas.write(node, item.key, item.siblings, options, item.partition);
    (call as Promise<T>).then(item.resolve, item.reject);
  }
}
