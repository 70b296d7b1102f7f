import {
  DynamisError,
  REPLICA_MESSAGE,
  REPLICA_REPLY,
  toWireSibling,
  type Clock,
  type NodeId,
  type PartitionId,
  type PeerRpc,
  type RepairStats,
  type Replica,
  type ReplicaClient,
  type ReplicaEntry,
  type Sibling,
} from '@dynamis/core';
import type { z } from 'zod';
import { DIGEST_BYTES, LEVEL_BITS, recordDigest } from './merkle/digest';
import type { MerkleIndex } from './merkle/MerkleIndex';
import type { AntiEntropyOptions } from './options';
import { AE_MESSAGE, AE_REPLY, leafReplySchema, nodesReplySchema, payloadBytes } from './protocol';
import type { RateLimiter } from './RateLimiter';

const FANOUT = 1 << LEVEL_BITS;
/** Value and version bytes above which a writeBatch is split (one larger record still goes alone). */
export const MAX_PUSH_BYTES = 4 * 1024 * 1024;

/** The bytes of a request's and its reply's message types. */
const typeBytes = (request: string, reply: string): number => payloadBytes(request) + payloadBytes(reply);

/** What one exchange needs from its node. */
export interface ExchangeDeps {
  readonly index: MerkleIndex;
  readonly rpc: PeerRpc;
  readonly replicas: ReplicaClient;
  readonly replica: Pick<Replica, 'read' | 'applyMany'>;
  readonly options: AntiEntropyOptions;
  /** Keys per readBatch / writeBatch: min(maxKeysPerRequest, limits.maxBatchOps). */
  readonly batchKeys: number;
  readonly limiter: RateLimiter;
  /** For `syncedAt`. */
  readonly clock: Clock;
  /** True once the node is stopping: the exchange ends at its next step (UNAVAILABLE). */
  readonly stopped: () => boolean;
}

/**
 * One exchange of `partition` with `peer`, from this node: compare roots,
 * descend level by level into the children of differing nodes only (at most
 * maxNodesPerRequest hashes a request), list the differing leaves' keys page
 * by page, then for every key whose digest differs: read the peer's record
 * (readBatch), merge it here (Replica.applyMany: the ConflictResolver), and
 * write the merged record back (writeBatch) unless the peer already held
 * exactly it; keys the peer lacks are written to it. Tombstones move like
 * values, and the resolver's merge keeps a tombstone over an older value.
 * Every request and reply is counted in the stats and charged to the rate
 * limiter. Rejects with the first error (PeerRpc's, ReplicaClient's, the
 * replica's), PROTOCOL_ERROR for a reply that breaks the protocol, or
 * TIMEOUT once it ran longer than maxExchangeMs (checked before every
 * request: a peer that lists fresh keys forever is given up on).
 */
export class Exchange {
  private nodesCompared = 0;
  private keysSent = 0;
  private keysReceived = 0;
  private bytes = 0;
  /** clock.monotonic() past which the exchange gives up (maxExchangeMs), set at its first step. */
  private deadline: number | undefined;

  constructor(
    private readonly deps: ExchangeDeps,
    private readonly peer: NodeId,
    private readonly partition: PartitionId,
  ) {}

  /**
   * Runs the exchange. `syncedAt` is the Clock time (`now()`) just before a
   * root comparison that found both roots equal: the first one, or, after a
   * repair, a last root comparison (one more request); undefined when the
   * roots still differed (writes landing meanwhile). Every record either
   * replica held at `syncedAt` was then on both (or superseded on both).
   */
  async run(): Promise<{ stats: RepairStats; syncedAt: number | undefined }> {
    const { index, clock } = this.deps;
    const startedAt = clock.now();
    let differing = [0];
    for (let level = 0; level <= index.levels && differing.length > 0; level++) {
      const asked = level === 0 ? [0] : differing.flatMap((p) => Array.from({ length: FANOUT }, (_, c) => p * FANOUT + c));
      differing = await this.compareLevel(level, asked);
      if (level === 0 && differing.length === 0) return { stats: this.stats(), syncedAt: startedAt };
    }
    for (const leaf of differing) await this.repairLeaf(leaf);
    const checkedAt = clock.now();
    const equal = (await this.compareLevel(0, [0])).length === 0;
    return { stats: this.stats(), syncedAt: equal ? checkedAt : undefined };
  }

  private stats(): RepairStats {
    return {
      range: this.partition,
      peer: this.peer,
      nodesCompared: this.nodesCompared,
      keysSent: this.keysSent,
      keysReceived: this.keysReceived,
      bytesTransferred: this.bytes,
    };
  }

  /** The nodes of `indices` at `level` whose hashes differ from the peer's. */
  private async compareLevel(level: number, indices: readonly number[]): Promise<number[]> {
    const out: number[] = [];
    const tree = this.deps.index.peek(this.partition);
    for (let i = 0; i < indices.length; i += this.deps.options.maxNodesPerRequest) {
      const chunk = indices.slice(i, i + this.deps.options.maxNodesPerRequest);
      const reply = await this.call(AE_MESSAGE.nodes, { ...this.header(), level, indices: chunk }, nodesReplySchema, AE_REPLY.nodes);
      if (reply.hashes.length !== DIGEST_BYTES * chunk.length) {
        throw this.protocolError(`answered ${reply.hashes.length} hash bytes for ${chunk.length} nodes`);
      }
      const local = tree.hashes(level, chunk);
      chunk.forEach((index, k) => {
        const a = local.subarray(k * DIGEST_BYTES, (k + 1) * DIGEST_BYTES);
        const b = reply.hashes.subarray(k * DIGEST_BYTES, (k + 1) * DIGEST_BYTES);
        if (Buffer.compare(a, b) !== 0) out.push(index);
      });
      this.nodesCompared += chunk.length;
    }
    return out;
  }

  /** Pages through one differing leaf of the peer and repairs the keys that differ in each page's key span. */
  private async repairLeaf(leaf: number): Promise<void> {
    const { index, options } = this.deps;
    let after: string | undefined;
    for (;;) {
      const request = { ...this.header(), leaf, limit: options.maxKeysPerRequest, ...(after === undefined ? {} : { after }) };
      const page = await this.call(AE_MESSAGE.leaf, request, leafReplySchema, AE_REPLY.leaf);
      this.checkPage(page.entries, leaf, after, options.maxKeysPerRequest);
      const last = page.entries.at(-1)?.key;
      const spanEnd = page.more ? last : undefined; // the page covers keys in (after, spanEnd]
      if (page.more && last === undefined) throw this.protocolError('answered an empty page with more: true');
      const remote = new Map(page.entries.map((e) => [e.key, e.digest]));
      const tree = index.peek(this.partition);
      const local = tree.entries(leaf, after, Number.MAX_SAFE_INTEGER).entries.filter((e) => spanEnd === undefined || e.key <= spanEnd);
      const pull: string[] = [];
      const push: string[] = [];
      for (const [key, digest] of remote) {
        const mine = tree.get(key, leaf);
        if (mine === undefined || Buffer.compare(mine, digest) !== 0) pull.push(key);
      }
      for (const e of local) if (!remote.has(e.key)) push.push(e.key);
      await this.pullAndMerge(pull, push);
      await this.pushKeys(push);
      if (!page.more) return;
      after = last;
    }
  }

  /** Reads `keys` from the peer, merges them here, and queues for `push` those the peer does not hold merged. */
  private async pullAndMerge(keys: readonly string[], push: string[]): Promise<void> {
    for (let i = 0; i < keys.length; i += this.deps.batchKeys) {
      const chunk = keys.slice(i, i + this.deps.batchKeys);
      this.checkStopped();
      // Every key of an exchange is in its partition (checkPage): it travels with the keys, so nobody re-hashes them.
      const partitions = chunk.map(() => this.partition);
      const records = await this.deps.replicas.readBatch(this.peer, chunk, this.timeout(), partitions);
      const replyBytes = payloadBytes({ records: records.map((r) => r.map(toWireSibling)) });
      await this.charge(
        typeBytes(REPLICA_MESSAGE.readBatch, REPLICA_REPLY.readBatch) + payloadBytes({ keys: chunk, partitions }) + replyBytes,
      );
      const entries: ReplicaEntry[] = [];
      chunk.forEach((key, k) => {
        if (records[k]!.length > 0) entries.push({ key, siblings: records[k]!, partition: this.partition });
        else push.push(key); // gone on the peer since it listed it: send ours
      });
      if (entries.length === 0) continue;
      const merged = await this.deps.replica.applyMany(entries);
      this.keysReceived += entries.length;
      for (const { key, siblings } of entries) {
        const mine = recordDigest(key, merged.get(key) ?? []);
        const theirs = recordDigest(key, siblings);
        if (mine !== undefined && (theirs === undefined || Buffer.compare(mine, theirs) !== 0)) push.push(key);
      }
    }
  }

  /**
   * Writes this node's records of `keys` to the peer (missing ones skipped),
   * in writeBatches of at most `batchKeys` keys and about MAX_PUSH_BYTES of
   * values (a single larger record goes alone).
   */
  private async pushKeys(keys: readonly string[]): Promise<void> {
    let entries: ReplicaEntry[] = [];
    let bytes = 0;
    for (const key of keys) {
      const siblings: Sibling[] = await this.deps.replica.read(key, this.partition);
      if (siblings.length === 0) continue;
      const size = siblings.reduce((n, s) => n + s.version.length + (s.value?.length ?? 0), 0);
      if (entries.length > 0 && (entries.length >= this.deps.batchKeys || bytes + size > MAX_PUSH_BYTES)) {
        await this.writeBatch(entries);
        entries = [];
        bytes = 0;
      }
      entries.push({ key, siblings, partition: this.partition });
      bytes += size;
    }
    if (entries.length > 0) await this.writeBatch(entries);
  }

  private async writeBatch(entries: readonly ReplicaEntry[]): Promise<void> {
    this.checkStopped();
    const stored = await this.deps.replicas.writeBatch(this.peer, entries, this.timeout());
    const wire = entries.map((e) => ({ key: e.key, siblings: e.siblings.map(toWireSibling), partition: e.partition }));
    await this.charge(
      typeBytes(REPLICA_MESSAGE.writeBatch, REPLICA_REPLY.writeBatch) + payloadBytes({ entries: wire }) + payloadBytes({ stored }),
    );
    this.keysSent += entries.length;
  }

  private async call<S extends z.ZodType>(type: string, payload: object, schema: S, replyType: string): Promise<z.output<S>> {
    this.checkStopped();
    const reply = await this.deps.rpc.call(this.peer, type, payload, { replySchema: schema, replyType, ...this.timeout() });
    await this.charge(typeBytes(type, replyType) + payloadBytes(payload) + payloadBytes(reply));
    return reply;
  }

  /** A page must hold at most `limit` keys of this leaf, strictly ascending, all after `after`. */
  private checkPage(entries: readonly { key: string }[], leaf: number, after: string | undefined, limit: number): void {
    if (entries.length > limit) throw this.protocolError(`listed ${entries.length} keys, more than the ${limit} asked for`);
    let prev = after;
    for (const { key } of entries) {
      if (prev !== undefined && !(key > prev)) throw this.protocolError('listed keys out of order');
      const pos = this.deps.index.position(key);
      if (pos.partition !== this.partition || pos.leaf !== leaf) throw this.protocolError(`listed a key outside leaf ${leaf}`);
      prev = key;
    }
  }

  private async charge(n: number): Promise<void> {
    this.bytes += n;
    await this.deps.limiter.take(n);
  }

  private header() {
    return { partitionCount: this.deps.index.partitionCount, levels: this.deps.index.levels, partition: this.partition };
  }

  private timeout(): { timeoutMs?: number } {
    const ms = this.deps.options.exchangeTimeoutMs;
    return ms === undefined ? {} : { timeoutMs: ms };
  }

  private checkStopped(): void {
    if (this.deps.stopped()) throw new DynamisError('UNAVAILABLE', 'anti-entropy is stopping', { details: { peer: this.peer } });
    const { clock, options } = this.deps;
    this.deadline ??= clock.monotonic() + options.maxExchangeMs;
    if (clock.monotonic() > this.deadline) {
      throw new DynamisError(
        'TIMEOUT',
        `exchange of partition ${this.partition} with ${this.peer} ran past maxExchangeMs (${options.maxExchangeMs} ms)`,
        {
          details: { peer: this.peer, partition: this.partition, ms: options.maxExchangeMs },
        },
      );
    }
  }

  private protocolError(what: string): DynamisError {
    return new DynamisError('PROTOCOL_ERROR', `${this.peer} ${what} (anti-entropy of partition ${this.partition})`, {
      details: { peer: this.peer, partition: this.partition },
    });
  }
}
