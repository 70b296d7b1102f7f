import type { FileSystem } from '@dynamis/core';
import { BlockCache } from '../../src/cache/BlockCache';
import { compareInternal } from '../../src/util/internalKey';
import type { EntryKind } from '../../src/util/internalKey';
import type { Block } from '../../src/sstable/Block';
import { TableBuilder } from '../../src/sstable/TableBuilder';
import type { TableBuilderOptions } from '../../src/sstable/TableBuilder';
import type { TableProperties } from '../../src/sstable/properties';

/** A test entry. */
export interface TestEntry {
  key: Uint8Array;
  seq: number;
  kind: EntryKind;
  value: Uint8Array;
}

/** Sorts entries in internal order (test helper). */
export function sortEntries(es: TestEntry[]): TestEntry[] {
  return [...es].sort((a, b) => compareInternal(a.key, a.seq, a.kind, b.key, b.seq, b.kind));
}

/** Builds a table at `path` from sorted entries (test helper). */
export async function buildTable(
  fs: FileSystem,
  path: string,
  sorted: TestEntry[],
  options?: TableBuilderOptions,
): Promise<TableProperties> {
  const b = new TableBuilder(fs.create(path), options);
  for (const e of sorted) b.add(e.key, e.seq, e.kind, e.value);
  return b.finish();
}

/** A fresh block cache (test helper). */
export function newCache(bytes = 64 << 20): BlockCache<Block> {
  return new BlockCache<Block>(bytes);
}

/** Rewrites `path` with byte `at` XOR `mask` (test helper). */
export function flipByte(fs: FileSystem, path: string, at: number, mask = 0x01): void {
  const data = fs.readFile(path).slice();
  data[at]! ^= mask;
  const f = fs.create(path);
  f.append(data);
  void f.close();
}
