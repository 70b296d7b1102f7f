import { inject, injectable, type ServiceIdentifier } from 'inversify';
import { ConfigToken } from '../config/parseConfig';
import type { DynamisConfig } from '../config/schema';
import { DynamisError } from '../errors/DynamisError';
import { PeerRpc, PeerRpcToken } from '../kernel/PeerRpc';
import { ClockToken, type Clock } from '../ports/Clock';
import { ConflictResolverToken, type ConflictResolver } from '../ports/ConflictResolver';
import type { PartitionId } from '../ports/Partitioner';
import type { NodeId, Sibling } from '../ports/types';
import { checkIncomingSiblings } from './checkSiblings';
import type { ReplicaEntry } from './Replica';
import type { ScanPageRequest, ScanPageResult } from './scanPage';
import { fromWireSibling, REPLICA_MESSAGE, REPLICA_REPLY, replicaSchemas, toWireSibling, type ReplicaSchemas } from './replicaProtocol';

export interface ReplicaCallOptions {
  /** Deadline on the Clock (default timeouts.requestMs). */
  readonly timeoutMs?: number;
}

/**
 * The coordinator's side of the replica protocol: typed calls to one
 * node's replica through PeerRpc (a call to this node is served locally
 * with the wire's semantics). Replies are checked like any data from
 * outside: a read's siblings go through checkIncomingSiblings (the
 * resolver's `validate` included); a reply that fails is PROTOCOL_ERROR
 * naming the node. Errors otherwise are PeerRpc's and the server's
 * (ReplicaService): UNAVAILABLE (unreachable, or the protocol not started
 * there: `notStarted`, not applied), TIMEOUT, INVALID_KEY, INVALID_ARGUMENT.
 */
@injectable()
export class ReplicaClient {
  private readonly schemas: ReplicaSchemas;
  /** The call options of a call with no timeout, one per reply schema (PeerRpc only reads them): no object per call. */
  private readonly untimed = new Map<unknown, { readonly replySchema: unknown; readonly replyType: string }>();

  constructor(
    @inject(PeerRpcToken) private readonly rpc: PeerRpc,
    @inject(ConflictResolverToken) private readonly resolver: ConflictResolver,
    @inject(ClockToken) private readonly clock: Clock,
    @inject(ConfigToken) private readonly config: DynamisConfig,
  ) {
    this.schemas = replicaSchemas(config.limits);
  }

  /**
   * Every stored sibling of `key` on `node` (tombstones and expired ones
   * included); [] if none. `partition`: the key's (`partitionOfKey(key, Q)`)
   * when the caller computed it, sent along so that `node` does not hash the
   * key; it must be the key's own (ReplicaService trusts it).
   */
  async read(node: NodeId, key: string, options: ReplicaCallOptions = {}, partition?: PartitionId): Promise<Sibling[]> {
    const payload = partition === undefined ? { key } : { key, partition };
    const reply = await this.rpc.call(node, REPLICA_MESSAGE.read, payload, this.opts(this.schemas.readResult, REPLICA_REPLY.read, options));
    return this.incoming(node, key, reply.siblings.map(fromWireSibling));
  }

  /**
   * The records of `keys` on `node`, in the order of `keys`. `partitions`:
   * the keys' own partitions, one per key, as for `read` (INVALID_ARGUMENT
   * from `node` if the lengths differ).
   */
  async readBatch(
    node: NodeId,
    keys: readonly string[],
    options: ReplicaCallOptions = {},
    partitions?: readonly PartitionId[],
  ): Promise<Sibling[][]> {
    const reply = await this.rpc.call(
      node,
      REPLICA_MESSAGE.readBatch,
      partitions === undefined ? { keys } : { keys, partitions },
      this.opts(this.schemas.readBatchResult, REPLICA_REPLY.readBatch, options),
    );
    if (reply.records.length !== keys.length) {
      throw new DynamisError('PROTOCOL_ERROR', `${node} answered ${reply.records.length} records for ${keys.length} keys`, {
        details: { peer: node },
      });
    }
    return reply.records.map((r, i) => this.incoming(node, keys[i]!, r.map(fromWireSibling)));
  }

  /**
   * The digest (readDigest.ts) of `key`'s record on `node`, tombstones and
   * expired siblings included (an empty record has one too), instead of the
   * record: equal to `readDigest` of what `read` would return. `partition`
   * as for `read`. A node running a version without digests refuses the
   * flag: PROTOCOL_ERROR (its schemas are strict).
   */
  async readDigest(node: NodeId, key: string, options: ReplicaCallOptions = {}, partition?: PartitionId): Promise<Uint8Array> {
    const payload = partition === undefined ? { key, digest: true } : { key, partition, digest: true };
    const reply = await this.rpc.call(
      node,
      REPLICA_MESSAGE.read,
      payload,
      this.opts(this.schemas.readDigestResult, REPLICA_REPLY.read, options),
    );
    return reply.digest;
  }

  /** The digests of `keys` on `node`, in the order of `keys` (readDigest of each; `partitions` as for `readBatch`). */
  async readDigestBatch(
    node: NodeId,
    keys: readonly string[],
    options: ReplicaCallOptions = {},
    partitions?: readonly PartitionId[],
  ): Promise<Uint8Array[]> {
    const reply = await this.rpc.call(
      node,
      REPLICA_MESSAGE.readBatch,
      partitions === undefined ? { keys, digest: true } : { keys, partitions, digest: true },
      this.opts(this.schemas.readDigestBatchResult, REPLICA_REPLY.readBatch, options),
    );
    if (reply.digests.length !== keys.length) {
      throw new DynamisError('PROTOCOL_ERROR', `${node} answered ${reply.digests.length} digests for ${keys.length} keys`, {
        details: { peer: node },
      });
    }
    return reply.digests;
  }

  /**
   * Merges `siblings` into `key` on `node`; resolves with how many siblings
   * `node` then holds. `partition`: the key's own, as for `read`.
   */
  async write(
    node: NodeId,
    key: string,
    siblings: readonly Sibling[],
    options: ReplicaCallOptions = {},
    partition?: PartitionId,
  ): Promise<number> {
    const wire = siblings.map(toWireSibling);
    const payload = partition === undefined ? { key, siblings: wire } : { key, siblings: wire, partition };
    const reply = await this.rpc.call(
      node,
      REPLICA_MESSAGE.write,
      payload,
      this.opts(this.schemas.writeResult, REPLICA_REPLY.write, options),
    );
    return reply.stored;
  }

  /**
   * Merges every entry on `node` in one atomic write there; resolves with the
   * siblings held per entry. An entry's `partition`, when set, travels with
   * it (as for `read`).
   */
  async writeBatch(node: NodeId, entries: readonly ReplicaEntry[], options: ReplicaCallOptions = {}): Promise<number[]> {
    const payload = { entries: entries.map(wireEntry) };
    const reply = await this.rpc.call(
      node,
      REPLICA_MESSAGE.writeBatch,
      payload,
      this.opts(this.schemas.writeBatchResult, REPLICA_REPLY.writeBatch, options),
    );
    if (reply.stored.length !== entries.length) {
      throw new DynamisError('PROTOCOL_ERROR', `${node} answered ${reply.stored.length} results for ${entries.length} entries`, {
        details: { peer: node },
      });
    }
    return reply.stored;
  }

  /**
   * One scan page of `partition` on `node` (scanPage.ts readScanPage: live
   * records after `request.after`, under `request.prefix`, within its
   * budgets). Each record's siblings are checked as a read's are; a reply
   * with more entries than `limit`, keys out of order, not after `after` or
   * not under `prefix`, or a `next` before its last key (or not after
   * `after`), is PROTOCOL_ERROR naming the node.
   */
  async scan(node: NodeId, partition: PartitionId, request: ScanPageRequest, options: ReplicaCallOptions = {}): Promise<ScanPageResult> {
    const reply = await this.rpc.call(
      node,
      REPLICA_MESSAGE.scan,
      { partition, ...request },
      this.opts(this.schemas.scanResult, REPLICA_REPLY.scan, options),
    );
    let previous = request.after;
    for (const e of reply.entries) {
      if (
        (previous !== undefined && compareKeys(e.key, previous) <= 0) ||
        (request.prefix !== undefined && !e.key.startsWith(request.prefix))
      ) {
        throw new DynamisError('PROTOCOL_ERROR', `${node} sent scan entries out of order or outside the requested range`, {
          details: { peer: node, partition, key: e.key },
        });
      }
      previous = e.key;
    }
    if (reply.next !== null && previous !== undefined && compareKeys(reply.next, previous) < 0) {
      throw new DynamisError('PROTOCOL_ERROR', `${node} sent a scan position behind the page it answered`, {
        details: { peer: node, partition },
      });
    }
    if (reply.entries.length > request.limit) {
      throw new DynamisError('PROTOCOL_ERROR', `${node} sent ${reply.entries.length} scan entries for a limit of ${request.limit}`, {
        details: { peer: node, partition },
      });
    }
    const entries = reply.entries.map((e) => ({ key: e.key, siblings: this.incoming(node, e.key, e.siblings.map(fromWireSibling)) }));
    return { entries, next: reply.next };
  }

  private opts<S>(
    replySchema: S,
    replyType: string,
    options: ReplicaCallOptions,
  ): { readonly replySchema: S; readonly replyType: string; readonly timeoutMs?: number } {
    if (options.timeoutMs !== undefined) return { replySchema, replyType, timeoutMs: options.timeoutMs };
    let opts = this.untimed.get(replySchema) as { readonly replySchema: S; readonly replyType: string } | undefined;
    if (opts === undefined || opts.replyType !== replyType) {
      opts = Object.freeze({ replySchema, replyType });
      this.untimed.set(replySchema, opts);
    }
    return opts;
  }

  private incoming(node: NodeId, key: string, siblings: Sibling[]): Sibling[] {
    try {
      checkIncomingSiblings(key, siblings, this.resolver, this.clock.now(), this.config.limits);
    } catch (err) {
      throw new DynamisError('PROTOCOL_ERROR', `${node} sent an invalid record: ${(err as Error).message}`, {
        cause: err,
        details: { peer: node, key },
      });
    }
    return siblings;
  }
}

/** UTF-8 byte order of two keys (the engine's order). */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** An entry as `replica.writeBatch` carries it: its partition only when known. */
function wireEntry(e: ReplicaEntry): { key: string; siblings: Sibling[]; partition?: PartitionId } {
  const siblings = e.siblings.map(toWireSibling);
  return e.partition === undefined ? { key: e.key, siblings } : { key: e.key, siblings, partition: e.partition };
}

export const ReplicaClientToken: ServiceIdentifier<ReplicaClient> = Symbol.for('dynamis.ReplicaClient');
