import { AbstractEngineSnapshot } from '@dynamis/core';
import type BTree from 'sorted-btree';
import type { Cell } from './cell';

const EMPTY_TREE_ERROR = 'snapshot read after release';

/**
 * A snapshot of MemoryStorageEngine: a copy-on-write clone of its tree,
 * which later writes never change. Release drops the reference (the nodes
 * it shared with the live tree are then garbage once nothing else holds
 * them); the engine checks release before any read.
 */
export class MemorySnapshot extends AbstractEngineSnapshot {
  private clone: BTree<string, Cell> | undefined;

  constructor(tree: BTree<string, Cell>) {
    super();
    this.clone = tree;
  }

  /** The frozen tree. Throws (a bug: the engine checks release first) once released. */
  get tree(): BTree<string, Cell> {
    if (this.clone === undefined) throw new Error(EMPTY_TREE_ERROR);
    return this.clone;
  }

  protected override _release(): void {
    this.clone = undefined;
  }
}
