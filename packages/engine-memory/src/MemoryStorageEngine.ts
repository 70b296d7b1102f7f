import {
  AbstractStorageEngine,
  DynamisError,
  type AbstractEngineIterator,
  type AbstractEngineSnapshot,
  type BatchOp,
  type CompactionDecision,
  type PurgedKey,
  type EngineStats,
  type EngineSupports,
  type IteratorSpec,
  type RangeBounds,
} from '@dynamis/core';
import BTree from 'sorted-btree';
import type { Cell } from './cell';
import { compareKeys, copyOut, fromKey, toKey } from './latin1Keys';
import { MemoryIterator } from './MemoryIterator';
import { MemorySnapshot } from './MemorySnapshot';

/** Options of MemoryStorageEngine. Plain data; every field optional. */
export interface MemoryEngineOptions {
  /**
   * Maximum entries per B+ tree node, an integer in 4..256 (else the
   * constructor throws INVALID_CONFIG). Default 32; see the README.
   */
  readonly maxNodeSize?: number;
}

const SUPPORTS: EngineSupports = Object.freeze({ persistent: false, compactionFilter: true });

/**
 * An ordered, volatile StorageEngine: a B+ tree (sorted-btree) of latin1
 * string keys in memcmp order. Every write is applied synchronously within
 * the call, so calls are linearizable in call order. Iterators read an O(1)
 * copy-on-write clone of the tree, and so do snapshots. deleteRange removes
 * the range from the tree at once (time proportional to the keys removed).
 * compactRange runs the compaction filter over the range atomically (no
 * other call interleaves).
 *
 * Volatile: the data lives only in this instance. close() keeps it, so
 * open() of the same instance finds it again (as memory-level does); a new
 * instance starts empty, and a crash loses everything. `sync` is ignored.
 */
export class MemoryStorageEngine extends AbstractStorageEngine {
  readonly supports: EngineSupports = SUPPORTS;
  private readonly maxNodeSize: number;
  private tree: BTree<string, Cell>;
  /**
   * The live entries again, hashed: point reads of the live data (and a
   * write's look-up of the value it replaces) cost one hash look-up instead
   * of a walk down the tree. Always holds exactly the tree's entries, the
   * same cell objects; snapshots and iterators read their tree clone.
   */
  private readonly index = new Map<string, Cell>();
  /** A clone shared by iterators created since the last write; dropped on write. */
  private readView: BTree<string, Cell> | undefined = undefined;
  /**
   * The clone generation (see Cell): bumped by every clone of the tree, so
   * an overwrite may replace the value inside a cell of this generation
   * (no clone can reach it) instead of setting the key in the tree again.
   */
  private generation = 0;
  /** _write copies what it keeps (keys become strings; values one copy, not two). */
  protected override readonly borrowsWriteBuffers = true;
  private bytes = 0;
  private filterRemoved = 0;
  private filterReplaced = 0;

  constructor(options: MemoryEngineOptions = {}) {
    super();
    const size = options.maxNodeSize ?? 32;
    if (!Number.isInteger(size) || size < 4 || size > 256) {
      throw new DynamisError('INVALID_CONFIG', `maxNodeSize must be an integer in 4..256, got ${String(size)}`, {
        details: { option: 'maxNodeSize' },
      });
    }
    this.maxNodeSize = size;
    this.tree = this.emptyTree();
  }

  protected override _open(): void {}

  protected override _close(): void {
    this.readView = undefined;
  }

  protected override _get(key: Uint8Array, snapshot: AbstractEngineSnapshot | undefined): Uint8Array | undefined {
    const cell = snapshot === undefined ? this.index.get(toKey(key)) : (snapshot as MemorySnapshot).tree.get(toKey(key));
    return cell === undefined ? undefined : copyOut(cell.value);
  }

  protected override _deleteRange(start: Uint8Array, end: Uint8Array): void {
    this.readView = undefined;
    let bytes = 0;
    const index = this.index;
    this.tree.editRange(toKey(start), toKey(end), false, (key, cell) => {
      bytes += key.length + cell.value.length;
      index.delete(key);
      return { delete: true };
    });
    this.bytes -= bytes;
  }

  protected override _snapshot(): AbstractEngineSnapshot {
    return new MemorySnapshot(this.sharedClone());
  }

  /**
   * `ops` are the caller's buffers (borrowsWriteBuffers): the key becomes a
   * string, the value is copied. An overwrite of a key whose cell is of the
   * current generation replaces the value in the cell (one hash look-up);
   * otherwise a new cell goes into the tree and the index.
   */
  protected override _write(ops: readonly BatchOp[]): void {
    this.readView = undefined;
    const tree = this.tree;
    const index = this.index;
    const generation = this.generation;
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i] as BatchOp;
      const key = toKey(op.key);
      const old = index.get(key);
      if (old !== undefined) this.bytes -= key.length + old.value.length;
      if (op.type === 'put') {
        const value = copyOut(op.value);
        if (old !== undefined && old.generation === generation) old.value = value;
        else {
          const cell: Cell = { value, generation };
          tree.set(key, cell);
          index.set(key, cell);
        }
        this.bytes += key.length + value.length;
      } else if (old !== undefined) {
        tree.delete(key);
        index.delete(key);
      }
    }
  }

  protected override _iterator(spec: IteratorSpec): AbstractEngineIterator {
    const tree = spec.snapshot === undefined ? this.sharedClone() : (spec.snapshot as MemorySnapshot).tree;
    return new MemoryIterator(tree, spec);
  }

  /**
   * An O(1) clone of the tree, shared by every reader until the next write.
   * A new clone starts a new generation: the cells it shares are never
   * changed again.
   */
  private sharedClone(): BTree<string, Cell> {
    if (this.readView === undefined) {
      this.readView = this.tree.clone();
      this.generation++;
    }
    return this.readView;
  }

  /**
   * Runs the filter over the live entries in `bounds`. The decisions are all
   * taken first, then applied: a filter that throws or returns a malformed
   * decision rejects (INVALID_ARGUMENT for the latter) and changes nothing.
   * Once applied, the purges ('remove', 'replace') go to the purge listener,
   * in key order. This engine compacts nothing on its own, so compactRange
   * is its only purge. The purge records are held until then; they are no
   * bigger than the keys the engine holds anyway.
   */
  protected override _compactRange(bounds: RangeBounds): void {
    const filter = this.compactionFilter;
    if (filter === undefined) return;
    const purged: PurgedKey[] = [];
    const ops: BatchOp[] = [];
    const lower = bounds.lower === undefined ? undefined : toKey(bounds.lower);
    const upper = bounds.upper === undefined ? undefined : toKey(bounds.upper);
    for (const [key, { value }] of this.tree.entries(lower)) {
      if (key === lower && !bounds.lowerInclusive) continue;
      if (upper !== undefined && (key > upper || (key === upper && !bounds.upperInclusive))) break;
      const decision: CompactionDecision = filter(fromKey(key), Buffer.from(value));
      if (decision?.action === 'keep') continue;
      const note: unknown = (decision as { note?: unknown } | undefined)?.note;
      if (note !== undefined && !(note instanceof Uint8Array)) throw badDecision(key);
      if (decision?.action === 'remove') ops.push({ type: 'del', key: fromKey(key) });
      else if (decision?.action === 'replace' && decision.value instanceof Uint8Array) {
        ops.push({ type: 'put', key: fromKey(key), value: copyOut(decision.value) }); // the filter may reuse its buffer
      } else throw badDecision(key);
      purged.push(
        note === undefined ? { key: fromKey(key), action: decision.action } : { key: fromKey(key), action: decision.action, note },
      );
    }
    if (ops.length === 0) return;
    this._write(ops);
    for (const op of ops) {
      if (op.type === 'del') this.filterRemoved++;
      else this.filterReplaced++;
    }
    this.purges.deliver(purged);
  }

  protected override _stats(): EngineStats {
    return {
      engine: 'memory',
      approximateBytes: this.bytes,
      counters: {
        keys: this.tree.size,
        filterRemoved: this.filterRemoved,
        filterReplaced: this.filterReplaced,
        purgeListenerFailures: this.purges.failures,
      },
    };
  }

  private emptyTree(): BTree<string, Cell> {
    return new BTree<string, Cell>(undefined, compareKeys, this.maxNodeSize);
  }
}

function badDecision(key: string): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', 'compaction filter returned a malformed decision', {
    details: { argument: 'filter', key: Buffer.from(key, 'latin1').toString('hex') },
  });
}
