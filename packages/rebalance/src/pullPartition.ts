import { DynamisError, fromWireSibling, type NodeId, type PartitionId, type PeerRpc, type Replica } from '@dynamis/core';
import { pullReplySchema, REBALANCE_MESSAGE, REBALANCE_REPLY, recordBytes } from './protocol';

/** What one stream needs. */
export interface PullDeps {
  readonly rpc: PeerRpc;
  readonly replica: Replica;
  readonly partitionCount: number;
  /** Records per page (≤ limits.maxBatchOps: a page is applied in one batch). */
  readonly maxKeys: number;
  /** Record bytes per page: the stream's bound on bytes in flight. */
  readonly maxBytes: number;
  readonly timeoutMs: number;
  /** Checked before each page: true ends the stream with UNAVAILABLE (`cancelled`). */
  readonly cancelled: () => boolean;
  /** Called after each page is applied, with its record bytes and keys. */
  readonly progress: (bytes: number, keys: number) => void;
}

/**
 * Streams partition `p` from `source` into this node's replica: one page
 * at a time (the next is asked for only once the previous one is applied,
 * so at most one page — `maxBytes` plus one record — is in flight), each
 * merged through `Replica.applyMany` (the merge path: a write that landed
 * here meanwhile and the streamed record commute). Resolves when the
 * source said the partition is exhausted. Rejects with the source's error
 * (UNAVAILABLE `notHolder` when it does not hold `p`), PeerRpc's (TIMEOUT,
 * UNAVAILABLE), INVALID_ARGUMENT for a record the replica refuses, or
 * UNAVAILABLE `cancelled`. Pages already applied stay applied (harmless:
 * they are merges).
 */
export async function pullPartition(deps: PullDeps, p: PartitionId, source: NodeId): Promise<void> {
  const replySchema = pullReplySchema(deps.maxKeys);
  let after: string | undefined;
  for (;;) {
    if (deps.cancelled()) throw new DynamisError('UNAVAILABLE', `stream of partition ${p} cancelled`, { details: { cancelled: true } });
    const request = { partitionCount: deps.partitionCount, partition: p, maxKeys: deps.maxKeys, maxBytes: deps.maxBytes };
    const page = await deps.rpc.call(source, REBALANCE_MESSAGE.pull, after === undefined ? request : { ...request, after }, {
      replySchema,
      replyType: REBALANCE_REPLY.pull,
      timeoutMs: deps.timeoutMs,
    });
    if (page.entries.length > 0) {
      const entries = page.entries.map((e) => ({ key: e.key, siblings: e.siblings.map(fromWireSibling) }));
      await deps.replica.applyMany(entries);
      deps.progress(
        entries.reduce((n, e) => n + recordBytes(e.key, e.siblings), 0),
        entries.length,
      );
    }
    if (page.next === undefined) return;
    if (after !== undefined && Buffer.compare(Buffer.from(page.next), Buffer.from(after)) <= 0) {
      throw new DynamisError('PROTOCOL_ERROR', `${source} sent a page of partition ${p} that does not advance`, {
        details: { peer: source },
      });
    }
    after = page.next;
  }
}
