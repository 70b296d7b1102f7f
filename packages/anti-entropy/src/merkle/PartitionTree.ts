import { DIGEST_BYTES, LEVEL_BITS, xorInto } from './digest';

const FANOUT = 1 << LEVEL_BITS;
/** Scratch of `set` (synchronous: never used by two calls at once). */
const DELTA = new Uint8Array(DIGEST_BYTES);

/** One entry of a leaf: a key and its record digest. */
export interface LeafEntry {
  readonly key: string;
  readonly digest: Uint8Array;
}

/**
 * The Merkle tree of one partition: `levels` levels of fan-out 16 below the
 * root (level 0, one node; level l, 16^l nodes; the leaves at level
 * `levels`). A leaf's hash is the XOR of the digests of the keys in it (the
 * keys whose hash bits pick that leaf); an inner node's hash is the XOR of
 * its children, so the root is the XOR of every digest. Updating one key
 * costs O(levels) XORs of 16 bytes; nothing is rehashed. A tree with no keys
 * has all-zero hashes, and two trees are equal exactly when their hashes are
 * (up to MD5/XOR collision).
 *
 * Memory: 16·(16^(levels+1) − 1)/15 bytes of node hashes, allocated on
 * construction, plus one Map entry (key string + 16-byte digest) per key.
 * Not safe for concurrent mutation (single-threaded JS: callers never await
 * inside an update).
 */
export class PartitionTree {
  private readonly nodes: Uint8Array[];
  private readonly leaves = new Map<number, Map<string, Uint8Array>>();
  private count = 0;

  constructor(readonly levels: number) {
    this.nodes = [];
    for (let l = 0; l <= levels; l++) this.nodes.push(new Uint8Array(DIGEST_BYTES * FANOUT ** l));
  }

  /** Keys in the tree. */
  get size(): number {
    return this.count;
  }

  /** Number of nodes at `level` (16^level). */
  width(level: number): number {
    return FANOUT ** level;
  }

  /**
   * Sets `key` (in leaf `leaf`) to `digest`, or removes it when `digest` is
   * undefined; a no-op when nothing changes. The digest is kept, not copied.
   */
  set(key: string, leaf: number, digest: Uint8Array | undefined): void {
    let bucket = this.leaves.get(leaf);
    const old = bucket?.get(key);
    if (old === undefined && digest === undefined) return;
    if (old !== undefined && digest !== undefined && Buffer.compare(old, digest) === 0) return;
    const delta = DELTA.fill(0);
    if (old !== undefined) xorInto(delta, 0, old);
    if (digest !== undefined) xorInto(delta, 0, digest);
    for (let l = this.levels, i = leaf; l >= 0; l--, i = Math.floor(i / FANOUT)) xorInto(this.nodes[l]!, i * DIGEST_BYTES, delta);
    if (digest === undefined) {
      bucket!.delete(key);
      this.count--;
      if (bucket!.size === 0) this.leaves.delete(leaf);
      return;
    }
    if (bucket === undefined) {
      bucket = new Map();
      this.leaves.set(leaf, bucket);
    }
    if (old === undefined) this.count++;
    bucket.set(key, digest);
  }

  /** The digest held for `key` in `leaf`; undefined if absent. */
  get(key: string, leaf: number): Uint8Array | undefined {
    return this.leaves.get(leaf)?.get(key);
  }

  /** The root hash (a copy). */
  root(): Uint8Array {
    return this.nodes[0]!.slice();
  }

  /**
   * The hashes of nodes `indices` at `level`, concatenated (16 bytes each, in
   * the order asked). Throws RangeError on a level or index out of range (the
   * caller validates peer input first).
   */
  hashes(level: number, indices: readonly number[]): Uint8Array {
    const row = this.nodes[level];
    if (row === undefined) throw new RangeError(`level ${level} outside 0..${this.levels}`);
    const out = new Uint8Array(DIGEST_BYTES * indices.length);
    indices.forEach((index, k) => {
      if (!Number.isInteger(index) || index < 0 || index >= this.width(level)) throw new RangeError(`node ${index} outside level ${level}`);
      out.set(row.subarray(index * DIGEST_BYTES, (index + 1) * DIGEST_BYTES), k * DIGEST_BYTES);
    });
    return out;
  }

  /**
   * Up to `limit` entries of `leaf` whose key is after `after` (UTF-16 code
   * unit order, the same on every node), sorted by key; `more` when entries
   * remain. Costs O(k log k) for the k keys of the leaf.
   */
  entries(leaf: number, after: string | undefined, limit: number): { entries: LeafEntry[]; more: boolean } {
    const bucket = this.leaves.get(leaf);
    if (bucket === undefined) return { entries: [], more: false };
    const keys = [...bucket.keys()].filter((k) => after === undefined || k > after).sort();
    const entries = keys.slice(0, limit).map((key) => ({ key, digest: bucket.get(key)! }));
    return { entries, more: keys.length > limit };
  }
}
