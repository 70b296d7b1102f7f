/**
 * What the engine's tree and hash index hold per key: the value, in a box
 * the live tree and the index share, and the clone generation it was
 * created in. A write may replace the value inside a cell (no walk down the
 * tree) only while the cell is of the current generation: every clone
 * (snapshot, iterator view) starts a new generation, so a cell no clone can
 * reach is exactly one created since the last clone. An older cell is never
 * changed again: the write puts a new cell into the tree instead (which
 * copies the shared path, leaving the clones theirs).
 */
export interface Cell {
  value: Uint8Array;
  readonly generation: number;
}
