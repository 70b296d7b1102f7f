import { describe, expect, it } from '@jest/globals';
import { SystemClock, type StorageEngine } from '@dynamis/core';
import { MemoryFileSystem } from '@dynamis/testkit';
import { LsmStorageEngine } from '../src';
import { key, s, smallOptions, stat } from './helpers';

/**
 * engine-lsm's range tombstones (docs/format.md, "Range deletions"): logged
 * in the WAL, held by the memtable, moved to the manifest at flush, applied
 * by compaction and dropped once nothing they delete is left.
 */

const VALUE = new Uint8Array(64).fill(0x61);

function open(fs: MemoryFileSystem, strategy: 'leveled' | 'tiered' = 'leveled'): LsmStorageEngine {
  return new LsmStorageEngine(fs, '/db', smallOptions(strategy), new SystemClock());
}

async function fill(e: StorageEngine, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i += 50) {
    const ops = [];
    for (let j = i; j < Math.min(to, i + 50); j++) ops.push({ type: 'put' as const, key: key(j), value: VALUE });
    await e.write(ops);
  }
}

async function count(e: StorageEngine, options: Parameters<StorageEngine['iterator']>[0] = {}): Promise<number> {
  let n = 0;
  for await (const entry of e.iterator(options)) if (entry !== undefined) n++;
  return n;
}

/** Flushes every memtable (compactRange of a range that holds no key freezes and waits for the flushes). */
async function flushAll(e: StorageEngine): Promise<void> {
  await e.compactRange({ gte: s('z'), lte: s('z') });
}

/** Polls `cond` every few ms until it holds; fails after a generous deadline. */
async function waitFor(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function tableFiles(fs: MemoryFileSystem): string[] {
  return fs.list('/db').filter((name) => name.endsWith('.sst'));
}

describe('engine-lsm range tombstones', () => {
  for (const strategy of ['leveled', 'tiered'] as const) {
    it(`${strategy}: a range deletion survives reopen before its flush (WAL) and after it (manifest)`, async () => {
      const fs = new MemoryFileSystem();
      let e = open(fs, strategy);
      await e.open();
      await fill(e, 0, 400);
      await flushAll(e);
      await e.deleteRange(key(100), key(300));
      expect(stat(e, 'rangeTombstones')).toBe(1);
      await e.close();

      e = open(fs, strategy); // replayed from the WAL, then recorded in the manifest with the replayed table
      await e.open();
      expect(await count(e)).toBe(200);
      expect(await e.get(key(150))).toBeUndefined();
      expect(await e.get(key(300))).toEqual(Buffer.from(VALUE));
      expect(stat(e, 'rangeTombstones')).toBe(1);
      await e.deleteRange(key(0), key(50), { sync: true });
      const flushes = stat(e, 'flushes');
      await fill(e, 1000, 1400); // pushes the memtable holding the tombstone out
      await flushAll(e); // now in the manifest (or applied by a compaction and dropped)
      expect(stat(e, 'flushes')).toBeGreaterThan(flushes);
      await e.close();

      e = open(fs, strategy);
      await e.open();
      expect(await count(e, { lt: key(1000) })).toBe(150);
      expect(await count(e, { reverse: true })).toBe(550);
      expect(await e.get(key(10))).toBeUndefined();
      expect(await e.get(key(50))).toEqual(Buffer.from(VALUE));
      await e.close();
    });
  }

  it('compaction drops the entries a tombstone deletes, then the tombstone itself', async () => {
    const fs = new MemoryFileSystem();
    const e = open(fs);
    await e.open();
    await fill(e, 0, 1000);
    await flushAll(e);
    const entriesBefore = sumLevels(e, 'Bytes');
    await e.deleteRange(key(0), key(900));
    await e.put(key(500), s('written after'));
    await e.compactRange();
    expect(stat(e, 'rangeTombstones')).toBe(0);
    expect(stat(e, 'rangeTombstonesDropped')).toBe(1);
    expect(sumLevels(e, 'Bytes')).toBeLessThan(entriesBefore / 4);
    expect(await count(e)).toBe(101);
    expect(Buffer.from((await e.get(key(500)))!).toString()).toBe('written after');
    await e.close();
    const again = open(fs);
    await again.open();
    expect(await count(again)).toBe(101);
    expect(await again.get(key(899))).toBeUndefined();
    await again.close();
  });

  it('a snapshot keeps what a later range deletion and compaction removed, until released', async () => {
    const fs = new MemoryFileSystem();
    const e = open(fs);
    await e.open();
    await fill(e, 0, 600);
    await flushAll(e);
    const snap = e.snapshot();
    await e.deleteRange(key(0), key(600));
    await e.compactRange();
    expect(await count(e)).toBe(0);
    expect(stat(e, 'rangeTombstones')).toBe(0);
    expect(await count(e, { snapshot: snap })).toBe(600);
    expect(await e.get(key(333), { snapshot: snap })).toEqual(Buffer.from(VALUE));
    const it = e.iterator({ snapshot: snap, reverse: true });
    it.seek(key(100));
    expect((await it.next())?.[0]).toEqual(Buffer.from(key(100)));
    await it.close();
    const pinned = tableFiles(fs).length;
    expect(pinned).toBeGreaterThan(0);
    snap.release();
    await waitFor(() => tableFiles(fs).length === 0, 'the tables the snapshot pinned to be deleted');
    await e.close();
  });

  it('a tombstone over a range with no table data is dropped at the next compaction', async () => {
    const fs = new MemoryFileSystem();
    const e = open(fs);
    await e.open();
    await fill(e, 0, 300);
    await e.deleteRange(s('x'), s('y'));
    await flushAll(e);
    await e.compactRange();
    expect(stat(e, 'rangeTombstones')).toBe(0);
    expect(await count(e)).toBe(300);
    await e.close();
  });

  it('many range deletions interleaved with writes across flushes match a model', async () => {
    const fs = new MemoryFileSystem();
    let e = open(fs, 'tiered');
    await e.open();
    const model = new Map<number, number>();
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 150; i++) {
        const k = (round * 37 + i * 7) % 500;
        await e.put(key(k), s(`v${round}`));
        model.set(k, round);
      }
      const lo = (round * 53) % 450;
      const hi = lo + 20 + round * 3;
      await e.deleteRange(key(lo), key(hi));
      for (const k of [...model.keys()]) if (k >= lo && k < hi) model.delete(k);
      if (round % 4 === 3) {
        await e.close();
        e = open(fs, 'tiered');
        await e.open();
      }
    }
    const want = [...model.entries()].sort((a, b) => a[0] - b[0]).map(([k, r]) => `${k}=v${r}`);
    const got: string[] = [];
    for await (const [k, v] of e.iterator()) got.push(`${Number(Buffer.from(k).toString().slice(1))}=${Buffer.from(v).toString()}`);
    expect(got).toEqual(want);
    await e.compactRange();
    const after: string[] = [];
    for await (const [k, v] of e.iterator({ reverse: true }))
      after.unshift(`${Number(Buffer.from(k).toString().slice(1))}=${Buffer.from(v).toString()}`);
    expect(after).toEqual(want);
    expect(stat(e, 'rangeTombstones')).toBe(0);
    await e.close();
  });
});

/** Sum of the engine's `level<N><suffix>` counters. */
function sumLevels(e: StorageEngine, suffix: 'Bytes' | 'Files'): number {
  let n = 0;
  for (const [name, v] of Object.entries(e.stats().counters)) if (/^level\d+/.test(name) && name.endsWith(suffix)) n += v;
  return n;
}
