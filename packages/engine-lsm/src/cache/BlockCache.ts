import { invalidArgument } from '../util/corruption';

/** Default byte budget of a block cache: 8 MiB. */
export const DEFAULT_BLOCK_CACHE_BYTES = 8 * 1024 * 1024;

const TWO_32 = 0x100000000;

class Node<V> {
  prev: Node<V> | null = null;
  next: Node<V> | null = null;
  constructor(
    readonly id: number,
    public value: V,
    public charge: number,
  ) {}
}

/**
 * An LRU cache of decoded SSTable blocks with a byte budget, keyed by
 * (file number, block offset). Lookup is one Map probe on the numeric key
 * fileNumber * 2^32 + offset (so file numbers must be < 2^21 and offsets
 * < 2^32, i.e. tables under 4 GiB); recency is a doubly linked list, so a
 * hit allocates nothing.
 *
 * Eviction only drops the cache's reference: a reader still holding a
 * block keeps using it (the GC frees it later), so there is no pinning.
 * An entry whose charge alone exceeds the budget is not cached.
 * Single-threaded; shared by all tables of one engine.
 */
export class BlockCache<V> {
  private readonly map = new Map<number, Node<V>>();
  /** Sentinel: head.next is the most recently used, head.prev the least. */
  private readonly head: Node<V>;
  private used = 0;
  /** Lookups that found their block. */
  hits = 0;
  /** Lookups that did not. */
  misses = 0;
  /** Admission filter (see admit): recently missed keys, direct-mapped; -1 when empty. */
  private readonly ghosts: Float64Array;
  private readonly ghostShift: number;

  /** `capacityBytes`: a non-negative integer (0 caches nothing). */
  constructor(readonly capacityBytes = DEFAULT_BLOCK_CACHE_BYTES) {
    if (!Number.isSafeInteger(capacityBytes) || capacityBytes < 0) {
      throw invalidArgument(`bad block cache capacity ${capacityBytes}`, { capacityBytes });
    }
    let slots = 1024;
    while (slots < (capacityBytes / 4096) * 2 && slots < 1 << 20) slots *= 2;
    this.ghosts = new Float64Array(slots).fill(-1);
    this.ghostShift = 32 - Math.log2(slots);
    this.head = new Node<V>(-1, undefined as V, 0);
    this.head.prev = this.head;
    this.head.next = this.head;
  }

  /** The cache key of a block. */
  static key(fileNumber: number, offset: number): number {
    return fileNumber * TWO_32 + offset;
  }

  /** Sum of the charges of cached entries. */
  get usedBytes(): number {
    return this.used;
  }

  /** Number of cached entries. */
  get size(): number {
    return this.map.size;
  }

  /** The cached value (now most recently used), or undefined. Counts a hit or a miss. */
  get(fileNumber: number, offset: number): V | undefined {
    const node = this.map.get(fileNumber * TWO_32 + offset);
    if (node === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.unlink(node);
    this.pushFront(node);
    return node.value;
  }

  /**
   * Second-chance admission for point lookups: true if the block at
   * (fileNumber, offset) missed recently (it is worth caching now), false on
   * its first recent miss (remembered, so a second miss admits it). Lets a
   * lookup skip allocating and caching a block that uniformly random reads
   * over a database much larger than the cache would evict unused, while
   * blocks read again soon get cached. Iterators always cache.
   */
  admit(fileNumber: number, offset: number): boolean {
    const id = fileNumber * TWO_32 + offset;
    const slot = (Math.imul(fileNumber, 0x9e3779b1) ^ Math.imul(offset, 0x85ebca6b)) >>> this.ghostShift;
    if (this.ghosts[slot] === id) return true;
    this.ghosts[slot] = id;
    return false;
  }

  /**
   * Caches `value` with `charge` bytes (replacing any entry of the same key),
   * then evicts least recently used entries until the budget holds.
   */
  insert(fileNumber: number, offset: number, value: V, charge: number): void {
    const id = fileNumber * TWO_32 + offset;
    const old = this.map.get(id);
    if (old !== undefined) this.remove(old);
    if (charge > this.capacityBytes) return;
    const node = new Node(id, value, charge);
    this.map.set(id, node);
    this.pushFront(node);
    this.used += charge;
    while (this.used > this.capacityBytes) this.remove(this.head.prev!);
  }

  /** Drops every block of `fileNumber` (call when a table file is deleted). */
  evictFile(fileNumber: number): void {
    const lo = fileNumber * TWO_32;
    const hi = lo + TWO_32;
    for (let n = this.head.next!; n !== this.head;) {
      const next = n.next!;
      if (n.id >= lo && n.id < hi) this.remove(n);
      n = next;
    }
  }

  /** Drops everything (counters are kept). */
  clear(): void {
    this.map.clear();
    this.head.prev = this.head;
    this.head.next = this.head;
    this.used = 0;
  }

  private remove(node: Node<V>): void {
    this.unlink(node);
    this.map.delete(node.id);
    this.used -= node.charge;
  }

  private unlink(node: Node<V>): void {
    node.prev!.next = node.next;
    node.next!.prev = node.prev;
  }

  private pushFront(node: Node<V>): void {
    const first = this.head.next!;
    node.prev = this.head;
    node.next = first;
    first.prev = node;
    this.head.next = node;
  }
}
