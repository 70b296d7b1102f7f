import { describe, expect, it } from '@jest/globals';
import { isDynamisError } from '@dynamis/core';
import { MemoryFileSystem } from '@dynamis/testkit';
import { FOOTER_BYTES } from './format';
import { TableReader } from './TableReader';
import { buildTable, flipByte, newCache, sortEntries } from '../../test/support/tableTestUtil';
import type { TestEntry } from '../../test/support/tableTestUtil';

function entries(n: number): TestEntry[] {
  const es: TestEntry[] = [];
  for (let i = 0; i < n; i++) {
    es.push({
      key: Buffer.from(`k${String(i).padStart(5, '0')}`),
      seq: i + 1,
      kind: i % 9 === 0 ? 0 : 1,
      value: Buffer.from(`v${i}`.repeat(3)),
    });
  }
  return sortEntries(es.map((e) => (e.kind === 0 ? { ...e, value: new Uint8Array(0) } : e)));
}

/** Reads everything the table holds: opens, iterates both ways, gets every key. */
function readEverything(fs: MemoryFileSystem, path: string, sorted: TestEntry[]): void {
  const t = TableReader.open(fs, path, 3, newCache());
  try {
    const it = t.iterator();
    let i = 0;
    for (it.seekToFirst(); it.valid; it.next(), i++) {
      const e = sorted[i]!;
      // Never wrong data: whatever is returned must be exactly what was written.
      if (Buffer.compare(it.key, e.key) !== 0 || it.seq !== e.seq || Buffer.compare(it.value, e.value) !== 0) {
        throw new Error(`wrong data at entry ${i}`);
      }
    }
    if (i !== sorted.length) throw new Error(`lost entries: ${i} of ${sorted.length}`);
    for (it.seekToLast(); it.valid; it.prev()) i--;
    if (i !== 0) throw new Error('reverse scan lost entries');
    for (const e of sorted) {
      const got = t.get(e.key, e.seq);
      if (got?.seq !== e.seq || (e.kind === 1 && Buffer.compare(got.value!, e.value) !== 0)) throw new Error(`wrong get ${e.seq}`);
    }
  } finally {
    t.close();
  }
}

describe('SSTable corruption', () => {
  it('a flipped byte anywhere (every data block, index, filter, properties, footer) is CORRUPTION naming the file', async () => {
    const fs = new MemoryFileSystem();
    const sorted = entries(300);
    await buildTable(fs, 'c.sst', sorted, { blockSize: 512 });
    readEverything(fs, 'c.sst', sorted);
    const size = fs.size('c.sst');
    const pristine = fs.readFile('c.sst').slice();
    const t = TableReader.open(fs, 'c.sst', 3, newCache());
    const blockStarts = Array.from(t.index.offsets);
    t.close();
    expect(blockStarts.length).toBeGreaterThan(10);
    for (let at = 0; at < size; at++) {
      const w = fs.create('c.sst');
      w.append(pristine);
      void w.close();
      flipByte(fs, 'c.sst', at, 1 << (at % 8));
      let err: unknown;
      try {
        readEverything(fs, 'c.sst', sorted);
      } catch (e) {
        err = e;
      }
      if (!isDynamisError(err, 'CORRUPTION')) throw new Error(`flip at ${at}: expected CORRUPTION, got ${String(err)}`);
      expect(err.details.file).toBe('c.sst');
      const dataEnd = blockStarts.length > 0 ? t.index.offsets[t.index.count - 1]! + t.index.sizes[t.index.count - 1]! + 5 : 0;
      if (at < dataEnd) {
        // a data block: the error names the start of that block
        const block = blockStarts.filter((s) => s <= at).pop();
        expect(err.details.offset).toBe(block);
      }
    }
  });

  it('a wrong footer magic, a truncated file and a short file are CORRUPTION', async () => {
    const fs = new MemoryFileSystem();
    const sorted = entries(50);
    await buildTable(fs, 'm.sst', sorted);
    const size = fs.size('m.sst');
    const data = fs.readFile('m.sst').slice();
    flipByte(fs, 'm.sst', size - 1);
    expect(() => TableReader.open(fs, 'm.sst', 1, newCache())).toThrow(/magic/);
    try {
      TableReader.open(fs, 'm.sst', 1, newCache());
    } catch (err) {
      expect(isDynamisError(err, 'CORRUPTION') && err.details).toEqual({ file: 'm.sst', offset: size - FOOTER_BYTES });
    }
    const trunc = fs.create('t.sst');
    trunc.append(data.subarray(0, size - 10));
    void trunc.close();
    expect(() => TableReader.open(fs, 't.sst', 1, newCache())).toThrow(expect.objectContaining({ code: 'CORRUPTION' }));
    const tiny = fs.create('s.sst');
    tiny.append(data.subarray(0, 10));
    void tiny.close();
    expect(() => TableReader.open(fs, 's.sst', 1, newCache())).toThrow(/too short/);
  });
});
