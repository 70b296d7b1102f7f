import { bytesEqual, readDigest, type NodeId, type PartitionId, type ReplicaCallOptions, type Sibling } from '@dynamis/core';
import type { ReplicaBatcher } from './ReplicaBatcher';

/** What DigestRead counts (the coordinator's stats). */
export interface DigestCounts {
  /** Digest replies that differed from the full record: that replica's record was fetched in a second round. */
  mismatches: number;
}

interface Waiting {
  readonly node: NodeId;
  readonly digest: Uint8Array;
  resolve(record: Sibling[] | Promise<Sibling[]>): void;
}

/**
 * The replica calls of one quorum read with digests (readFanout 'quorum';
 * README "Reads"). `read(node, index)` is SelectiveFanout's call: the first
 * target (index 0: the coordinator itself when it is one) and every target
 * asked later (index ≥ `firstAsks`: after a failure or a speculative retry)
 * return their full record; the others (1 ≤ index < `firstAsks`) are asked
 * for a digest only (replica.read `digest: true`), and resolve with
 *
 * - the first full record that arrived, when their digest equals its digest
 *   (the same siblings; exactly, or up to an MD5 collision for a record
 *   whose digest is hashed): no record crossed the wire;
 * - else their own record, fetched in a second round (counted in
 *   `mismatches`), which the caller then merges and read-repairs as usual;
 * - their own record too when every full read asked failed (none left).
 *
 * A digest reply that arrives before any full record waits for one (at most
 * one waiter per target). Never rejects for a reason other than the
 * replica calls' own.
 */
export class DigestRead {
  private full: Sibling[] | undefined;
  private fullDigest: Uint8Array | undefined;
  private fullsPending = 0;
  private readonly waiting: Waiting[] = [];

  constructor(
    private readonly batcher: ReplicaBatcher,
    private readonly key: string,
    private readonly options: ReplicaCallOptions,
    private readonly partition: PartitionId,
    private readonly firstAsks: number,
    private readonly counts: DigestCounts,
  ) {}

  /** SelectiveFanout's call: `node`'s record (see the class comment for which calls ask a digest first). */
  readonly read = (node: NodeId, index: number): Promise<Sibling[]> =>
    index === 0 || index >= this.firstAsks ? this.fullRead(node) : this.digestRead(node);

  private fullRead(node: NodeId): Promise<Sibling[]> {
    this.fullsPending++;
    return this.batcher.read(node, this.key, this.options, this.partition).then(
      (record) => {
        this.fullsPending--;
        if (this.full === undefined) {
          this.full = record;
          this.release();
        }
        return record;
      },
      (err: unknown) => {
        this.fullsPending--;
        if (this.full === undefined && this.fullsPending === 0) this.release();
        throw err;
      },
    );
  }

  private digestRead(node: NodeId): Promise<Sibling[]> {
    return this.batcher.digest(node, this.key, this.options, this.partition).then((digest) => {
      if (this.full !== undefined || this.fullsPending === 0) return this.answer(node, digest);
      return new Promise<Sibling[]>((resolve) => this.waiting.push({ node, digest, resolve }));
    });
  }

  /** The record `node` holds, given its digest: the full record when they match, else fetched from `node`. */
  private answer(node: NodeId, digest: Uint8Array): Sibling[] | Promise<Sibling[]> {
    if (this.full !== undefined) {
      this.fullDigest ??= readDigest(this.full);
      if (bytesEqual(digest, this.fullDigest)) return this.full;
      this.counts.mismatches++;
    }
    return this.batcher.read(node, this.key, this.options, this.partition);
  }

  /** A full record arrived, or every full read failed: answers the digests waiting. */
  private release(): void {
    for (const w of this.waiting.splice(0)) w.resolve(this.answer(w.node, w.digest));
  }
}
