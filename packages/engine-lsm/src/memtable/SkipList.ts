import { compareRange } from '../util/internalKey';
import { Arena } from './Arena';

/** Tallest tower; with branching 4 this serves ~4^12 = 16M entries well. */
export const MAX_HEIGHT = 12;
/** The null node. */
export const NIL = -1;

// A node is split in two records. Its "hot" record, in `hot` (the node id
// is its offset there), holds what a search reads: the first 12 key bytes
// and the tower. Its "cold" record, in `cold` at ORD * COLD_FIELDS, holds
// the rest, read only when the 12-byte prefixes tie or the entry is used.
// 12, not 8: a data key starts with 3 bytes of key space and partition, and
// user keys often share a prefix ('user...'), so 8 bytes left most steps
// near the target to the cold record.
const P0 = 0; // key bytes 0..3, big-endian, top bit flipped (signed order = byte order)
const P1 = 1; // key bytes 4..7, likewise (zero padded)
const P2 = 2; // key bytes 8..11, likewise (zero padded)
const ORD = 3; // node ordinal: index of the cold record
const LINKS = 4; // then `height` next-node ids, level 0 first
/** Key bytes held in the hot record (P0..P2). */
const PREFIX_BYTES = 12;
const KLEN = 0;
const CHUNK = 1; // arena chunk of key + value
const OFF = 2; // offset of the key in the chunk; the value follows it
const VLEN = 3;
const SEQ_HI = 4; // floor(seq / 2^32)
const SEQ_LO = 5; // seq mod 2^32, as int32
const KIND = 6;
const COLD_FIELDS = 7;
const HEAD = 0; // the head sentinel (no key), MAX_HEIGHT links

/**
 * An insert-only skip list of internal entries (user key, seq, kind, value),
 * ordered by user key ascending, then seq descending, then kind descending.
 * LevelDB's memtable design laid out for V8: nodes are records in two
 * Int32Arrays (no object per entry for the GC); the search reads only the
 * compact "hot" records (first 12 key bytes + tower), so most steps touch one
 * cache line; key and value bytes live in an Arena.
 *
 * Tower heights come from a fixed-seed xorshift32 (branching 1/4), so the
 * shape is deterministic for a given insertion sequence. Node ids are
 * stable; arena bytes are never overwritten, so views from `keyOf`/`valueOf`
 * stay valid for the life of the list.
 *
 * Not a public API: Memtable validates arguments and wraps it.
 */
export class SkipList {
  private readonly arena = new Arena();
  private hot: Int32Array = new Int32Array(1 << 16);
  private cold: Int32Array = new Int32Array(COLD_FIELDS * 4096);
  private used = HEAD + LINKS + MAX_HEIGHT;
  private entries = 0;
  private height = 1;
  private rng = 0x2545f491;
  /**
   * Per-level predecessors for the next insert. After an insert it holds,
   * at each level, the last node at or before the inserted one (the node
   * itself up to its height), so an insert right after the previous one
   * (sequential keys) can link in without a search, as RocksDB's
   * InlineSkipList does with its sequential-insert splice.
   */
  private readonly splice = new Int32Array(MAX_HEIGHT);
  /** The node inserted last (splice is relative to it), or NIL. */
  private lastInserted = NIL;
  /** Inserts that took the sequential fast path (no search). */
  sequentialInserts = 0;

  constructor() {
    this.hot.fill(NIL, HEAD + LINKS, HEAD + LINKS + MAX_HEIGHT);
  }

  /** Entries stored. */
  get count(): number {
    return this.entries;
  }

  /** Key and value bytes stored. */
  get payloadBytes(): number {
    return this.arena.usedBytes;
  }

  /**
   * Inserts a copy of the entry. Returns false (inserting nothing) if an
   * entry with the same user key and seq exists.
   */
  insert(key: Uint8Array, seq: number, kind: number, value: Uint8Array): boolean {
    const seqHi = Math.floor(seq / 0x100000000);
    const seqLo = seq >>> 0;
    const p0 = prefixWord(key, 0);
    const p1 = prefixWord(key, 4);
    const p2 = prefixWord(key, 8);
    const last = this.lastInserted;
    let x: number;
    let after: number;
    if (
      last !== NIL &&
      this.compareNode(last, key, p0, p1, p2, seqHi, seqLo, kind) < 0 &&
      ((after = this.hot[last + LINKS]!) === NIL || this.compareNode(after, key, p0, p1, p2, seqHi, seqLo, kind) >= 0)
    ) {
      // The target sorts right after the previous insert: the splice holds
      // its predecessors at every level (each splice node's successor at
      // its level is at or after `after`), so no search is needed.
      x = last;
      this.sequentialInserts++;
    } else {
      x = this.descend(key, p0, p1, p2, seqHi, seqLo, kind, true);
      after = this.hot[x + LINKS]!;
    }
    if (after !== NIL && this.compareNode(after, key, p0, p1, p2, seqHi, seqLo, this.kindOf(after)) === 0) {
      this.lastInserted = NIL; // the splice may now describe this search, not the last insert
      return false;
    }
    const h = this.randomHeight();
    if (h > this.height) {
      for (let i = this.height; i < h; i++) this.splice[i] = HEAD;
      this.height = h;
    }
    const n = this.newNode(key, seqHi, seqLo, kind, value, h);
    const hot = this.hot;
    hot[n + P0] = p0;
    hot[n + P1] = p1;
    hot[n + P2] = p2;
    const splice = this.splice;
    for (let i = 0; i < h; i++) {
      const p = splice[i]! + LINKS + i;
      hot[n + LINKS + i] = hot[p]!;
      hot[p] = n;
      splice[i] = n;
    }
    this.lastInserted = n;
    return true;
  }

  /** First node >= (key, seq, kind) in internal order, or NIL. */
  seek(key: Uint8Array, seq: number, kind: number): number {
    return this.hot[this.findLess(key, seq, kind) + LINKS]!;
  }

  /** Last node < node `n` in internal order, or NIL. */
  before(n: number): number {
    const x = this.findLess(this.keyOf(n), this.seqOf(n), this.kindOf(n));
    return x === HEAD ? NIL : x;
  }

  /** First node, or NIL. */
  first(): number {
    return this.hot[HEAD + LINKS]!;
  }

  /** Last node, or NIL. */
  last(): number {
    let x = HEAD;
    const hot = this.hot;
    for (let level = this.height - 1; level >= 0; level--) {
      for (let nx = hot[x + LINKS + level]!; nx !== NIL; nx = hot[x + LINKS + level]!) x = nx;
    }
    return x === HEAD ? NIL : x;
  }

  /** The node after `n`, or NIL. */
  next(n: number): number {
    return this.hot[n + LINKS]!;
  }

  seqOf(n: number): number {
    const c = this.hot[n + ORD]! * COLD_FIELDS;
    return this.cold[c + SEQ_HI]! * 0x100000000 + (this.cold[c + SEQ_LO]! >>> 0);
  }

  kindOf(n: number): number {
    return this.cold[this.hot[n + ORD]! * COLD_FIELDS + KIND]!;
  }

  /** A view of node `n`'s user key (valid forever; do not modify). */
  keyOf(n: number): Uint8Array {
    const c = this.hot[n + ORD]! * COLD_FIELDS;
    const off = this.cold[c + OFF]!;
    return this.arena.chunk(this.cold[c + CHUNK]!).subarray(off, off + this.cold[c + KLEN]!);
  }

  /** A view of node `n`'s value (valid forever; do not modify). */
  valueOf(n: number): Uint8Array {
    const c = this.hot[n + ORD]! * COLD_FIELDS;
    const off = this.cold[c + OFF]! + this.cold[c + KLEN]!;
    return this.arena.chunk(this.cold[c + CHUNK]!).subarray(off, off + this.cold[c + VLEN]!);
  }

  /** An owned copy (see allocBytes) of node `n`'s value. */
  copyValue(n: number): Uint8Array {
    const c = this.hot[n + ORD]! * COLD_FIELDS;
    const off = this.cold[c + OFF]! + this.cold[c + KLEN]!;
    return this.arena.copy(this.cold[c + CHUNK]!, off, this.cold[c + VLEN]!);
  }

  /** Compares node `n`'s user key with `key`. */
  compareKey(n: number, key: Uint8Array): number {
    const c = this.hot[n + ORD]! * COLD_FIELDS;
    const off = this.cold[c + OFF]!;
    return compareRange(this.arena.chunk(this.cold[c + CHUNK]!), off, off + this.cold[c + KLEN]!, key, 0, key.length);
  }

  /** The last node < (key, seq, kind), or HEAD. */
  private findLess(key: Uint8Array, seq: number, kind: number): number {
    const seqHi = Math.floor(seq / 0x100000000);
    const seqLo = seq >>> 0;
    return this.descend(key, prefixWord(key, 0), prefixWord(key, 4), prefixWord(key, 8), seqHi, seqLo, kind, false);
  }

  /**
   * The skip-list search: the last node < target, or HEAD. Records the
   * per-level predecessors in `splice` when `record`. Decides most steps on
   * the first key word inline, and never compares one node twice (LevelDB's
   * "last bigger" trick).
   */
  private descend(
    key: Uint8Array,
    p0: number,
    p1: number,
    p2: number,
    seqHi: number,
    seqLo: number,
    kind: number,
    record: boolean,
  ): number {
    const hot = this.hot;
    let x = HEAD;
    let bigger = NIL;
    for (let level = this.height - 1; level >= 0; level--) {
      for (;;) {
        const nx = hot[x + LINKS + level]!;
        if (nx === NIL || nx === bigger) break;
        const w = hot[nx + P0]!;
        if (w > p0 || (w === p0 && this.compareNode(nx, key, p0, p1, p2, seqHi, seqLo, kind) >= 0)) {
          bigger = nx;
          break;
        }
        x = nx;
      }
      if (record) this.splice[level] = x;
    }
    return x;
  }

  /** Node `n` versus the target; p0/p1/p2 are the target's prefix words. */
  private compareNode(n: number, key: Uint8Array, p0: number, p1: number, p2: number, seqHi: number, seqLo: number, kind: number): number {
    const hot = this.hot;
    let a = hot[n + P0]!;
    if (a !== p0) return a < p0 ? -1 : 1;
    a = hot[n + P1]!;
    if (a !== p1) return a < p1 ? -1 : 1;
    a = hot[n + P2]!;
    if (a !== p2) return a < p2 ? -1 : 1;
    const cold = this.cold;
    const c = hot[n + ORD]! * COLD_FIELDS;
    const klen = cold[c + KLEN]!;
    if (klen > PREFIX_BYTES && key.length > PREFIX_BYTES) {
      const off = cold[c + OFF]!;
      const r = compareRange(this.arena.chunk(cold[c + CHUNK]!), off + PREFIX_BYTES, off + klen, key, PREFIX_BYTES, key.length);
      if (r !== 0) return r;
    } else if (klen !== key.length) {
      return klen - key.length; // equal zero-padded prefixes: the shorter key is a prefix
    }
    a = cold[c + SEQ_HI]!;
    if (a !== seqHi) return a > seqHi ? -1 : 1;
    a = cold[c + SEQ_LO]! >>> 0;
    if (a !== seqLo) return a > seqLo ? -1 : 1;
    return kind - cold[c + KIND]!;
  }

  private randomHeight(): number {
    let h = 1;
    let s = this.rng;
    for (;;) {
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      if (h >= MAX_HEIGHT || (s & 3) !== 0) break;
      h++;
    }
    this.rng = s;
    return h;
  }

  /** Allocates both records and the key/value bytes; prefix and links are set by the caller. */
  private newNode(key: Uint8Array, seqHi: number, seqLo: number, kind: number, value: Uint8Array, h: number): number {
    const n = this.used;
    if (n + LINKS + h > this.hot.length) this.hot = grow(this.hot);
    this.used += LINKS + h;
    const ord = this.entries++;
    const c = ord * COLD_FIELDS;
    if (c + COLD_FIELDS > this.cold.length) this.cold = grow(this.cold);
    const off = this.arena.store(key, value);
    const cold = this.cold;
    cold[c + KLEN] = key.length;
    cold[c + CHUNK] = this.arena.lastChunk;
    cold[c + OFF] = off;
    cold[c + VLEN] = value.length;
    cold[c + SEQ_HI] = seqHi;
    cold[c + SEQ_LO] = seqLo | 0;
    cold[c + KIND] = kind;
    this.hot[n + ORD] = ord;
    return n;
  }
}

function grow(a: Int32Array): Int32Array {
  const grown = new Int32Array(a.length * 2);
  grown.set(a);
  return grown;
}

/** Key bytes [at, at+4) big-endian, zero padded, top bit flipped: int32 order = byte order. */
function prefixWord(key: Uint8Array, at: number): number {
  const len = key.length;
  if (at + 4 <= len) return ((key[at]! << 24) | (key[at + 1]! << 16) | (key[at + 2]! << 8) | key[at + 3]!) ^ 0x80000000;
  let w = 0;
  for (let i = 0; i < 4; i++) w = (w << 8) | (at + i < len ? key[at + i]! : 0);
  return w ^ 0x80000000;
}
