import {
  DynamisError,
  fromWireSibling,
  partitionOfKey,
  type Clock,
  type NodeId,
  type PartitionId,
  type PeerRpc,
  type Replica,
} from '@dynamis/core';
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
  /** The whole stream's deadline (ms on `clock.monotonic()`): past it, the next page is not asked for (TIMEOUT). */
  readonly maxStreamMs: number;
  readonly clock: Clock;
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
 * here meanwhile and the streamed record commute), after checkPage: a
 * source's page is refused whole (PROTOCOL_ERROR) if it holds a key of
 * another partition, keys out of order or not after the previous page, or
 * a `next` that is not its last key. The whole stream is bounded by
 * `maxStreamMs` (TIMEOUT): a source that never ends is given up on and the
 * partition pulled again, from the next source. Resolves when the
 * source said the partition is exhausted. Rejects with the source's error
 * (UNAVAILABLE `notHolder` when it does not hold `p`), PeerRpc's (TIMEOUT,
 * UNAVAILABLE), INVALID_ARGUMENT for a record the replica refuses, or
 * UNAVAILABLE `cancelled`. Pages already applied stay applied (harmless:
 * they are merges).
 */
export async function pullPartition(deps: PullDeps, p: PartitionId, source: NodeId): Promise<void> {
  const replySchema = pullReplySchema(deps.maxKeys);
  const deadline = deps.clock.monotonic() + deps.maxStreamMs;
  let after: string | undefined;
  for (;;) {
    if (deps.cancelled()) throw new DynamisError('UNAVAILABLE', `stream of partition ${p} cancelled`, { details: { cancelled: true } });
    if (deps.clock.monotonic() > deadline) {
      throw new DynamisError(
        'TIMEOUT',
        `stream of partition ${p} from ${source} still running after maxStreamMs (${deps.maxStreamMs} ms)`,
        {
          details: { partition: p, peer: source, ms: deps.maxStreamMs },
        },
      );
    }
    const request = { partitionCount: deps.partitionCount, partition: p, maxKeys: deps.maxKeys, maxBytes: deps.maxBytes };
    const page = await deps.rpc.call(source, REBALANCE_MESSAGE.pull, after === undefined ? request : { ...request, after }, {
      replySchema,
      replyType: REBALANCE_REPLY.pull,
      timeoutMs: deps.timeoutMs,
    });
    checkPage(page, p, after, deps.partitionCount, source);
    if (page.entries.length > 0) {
      const entries = page.entries.map((e) => ({ key: e.key, siblings: e.siblings.map(fromWireSibling) }));
      await deps.replica.applyMany(entries);
      deps.progress(
        entries.reduce((n, e) => n + recordBytes(e.key, e.siblings), 0),
        entries.length,
      );
    }
    if (page.next === undefined) return;
    after = page.next;
  }
}

/**
 * A page must be what an honest source sends (PullService): keys of
 * partition `p` only, strictly ascending in UTF-8 byte order, all after
 * `after`; and a page with `next` carries at least one record and `next` is
 * its last key, so every page advances by at least one real record (an empty
 * page that only moves `next` on would stream forever). PROTOCOL_ERROR
 * otherwise, before anything of the page is applied.
 */
function checkPage(
  page: { entries: readonly { key: string }[]; next?: string | undefined },
  p: PartitionId,
  after: string | undefined,
  partitionCount: number,
  source: NodeId,
): void {
  const bad = (why: string): DynamisError =>
    new DynamisError('PROTOCOL_ERROR', `${source} sent a page of partition ${p} that ${why}`, { details: { peer: source, partition: p } });
  let prev = after === undefined ? undefined : Buffer.from(after);
  for (const { key } of page.entries) {
    const k = Buffer.from(key);
    if (prev !== undefined && Buffer.compare(k, prev) <= 0) throw bad('does not advance (keys out of order or not after the last page)');
    if (partitionOfKey(key, partitionCount) !== p) throw bad(`holds key ${JSON.stringify(key)} of another partition`);
    prev = k;
  }
  if (page.next !== undefined && (page.entries.length === 0 || page.next !== page.entries[page.entries.length - 1]!.key)) {
    throw bad('announces more (next) without ending on a record');
  }
}
