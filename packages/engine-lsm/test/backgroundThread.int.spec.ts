import { describe, expect, it } from '@jest/globals';
import {
  asVersion,
  dataKey,
  decodePurgeNote,
  decodeRecord,
  encodeRecord,
  NodeFileSystem,
  partitionOfKey,
  recordCompactionFilter,
  SystemClock,
  userKeyOf,
  type Sibling,
} from '@dynamis/core';
import { MemoryFileSystem } from '@dynamis/testkit';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LsmStorageEngine } from '../src';
import { BlockCache } from '../src/cache/BlockCache';
import { TableReader } from '../src/sstable/TableReader';
import { diskOptions, expectModel, fill, openDisk, settle, tableFiles, tempDir, withDir } from './bgHelpers';
import { calls, prefixFilter, throwingFilter } from './fixtures/testFilters';
import { key, s, stat } from './helpers';

/** Entries and deletion markers over every table of `dir` (from their properties). */
function tableEntries(dir: string): { entries: number; deletions: number } {
  const fs = new NodeFileSystem();
  let entries = 0;
  let deletions = 0;
  for (const n of tableFiles(dir)) {
    const reader = TableReader.open(fs, join(dir, `${String(n).padStart(6, '0')}.sst`), n, new BlockCache(0));
    entries += reader.properties.entryCount;
    deletions += reader.properties.deletionCount;
    reader.close();
  }
  return { entries, deletions };
}

describe('engine-lsm background thread (NodeFileSystem)', () => {
  for (const strategy of ['leveled', 'tiered'] as const) {
    it(`${strategy}: compactions run on the worker; overwrites and deletes read back, also after reopen`, () =>
      withDir(async (dir) => {
        let e = await openDisk(dir, diskOptions(strategy));
        try {
          const model = await fill(e, 12_000, 1500, 1);
          await settle(e);
          expect(stat(e, 'flushes')).toBeGreaterThan(10);
          expect(stat(e, 'workerCompactions')).toBeGreaterThan(2);
          expect(stat(e, 'workerCompactions')).toBe(stat(e, 'compactions'));
          await expectModel(e, model);
          // Into the last level: the worker must drop every deletion marker (nothing older below).
          await e.compactRange();
          expect(stat(e, 'workerCompactions')).toBe(stat(e, 'compactions'));
          await expectModel(e, model);
          await e.close(); // the worker has removed the obsolete tables by then
          const live = [...model.values()].filter((v) => v !== undefined).length;
          expect(tableEntries(dir)).toEqual({ entries: live, deletions: 0 });
          e = await openDisk(dir, diskOptions(strategy));
          await fill(e, 3000, 1500, 2, model);
          await e.close();
          e = await openDisk(dir, diskOptions(strategy));
          await expectModel(e, model);
        } finally {
          await e.close();
        }
      }));
  }

  it("runs core's recordCompactionFilter on the worker (portable): purges expired values and old tombstones", () =>
    withDir(async (dir) => {
      const clock = new SystemClock();
      const e = await openDisk(dir, diskOptions('leveled'));
      try {
        e.setCompactionFilter(recordCompactionFilter(() => clock.now(), 0));
        const purged = new Map<string, [string, number[][]]>(); // reported after each commit, from the worker's result
        e.setPurgeListener((r) => {
          for (const p of r.keys) purged.set(userKeyOf(p.key), [p.action, decodePurgeNote(p.note!).map((v) => [...v])]);
        });
        const past = clock.now() - 60_000;
        const sibling = (i: number, kind: number): Sibling =>
          kind === 2
            ? { version: asVersion(Uint8Array.of(1)), value: null, writtenAt: past }
            : {
                version: asVersion(Uint8Array.of(kind)),
                value: s(`value${i}`),
                writtenAt: past,
                ...(kind === 1 ? { expiresAt: past } : {}),
              };
        for (let i = 0; i < 3000; i++) {
          const kind = i % 4; // 0 live, 1 expired, 2 tombstone, 3 live + expired sibling
          const record = kind === 3 ? [sibling(i, 0), sibling(i, 1)] : [sibling(i, kind)];
          await e.put(dataKey(partitionOfKey(`u${i}`, 256), `u${i}`), encodeRecord(record));
        }
        await e.compactRange();
        expect(stat(e, 'workerCompactions')).toBeGreaterThan(0);
        expect(stat(e, 'workerCompactions')).toBe(stat(e, 'compactions'));
        expect(stat(e, 'filterRemoved')).toBeGreaterThanOrEqual(1500);
        expect(stat(e, 'filterReplaced')).toBeGreaterThanOrEqual(750);
        expect(stat(e, 'filterFailures')).toBe(0);
        for (let i = 0; i < 3000; i++) {
          const got = await e.get(dataKey(partitionOfKey(`u${i}`, 256), `u${i}`));
          const kind = i % 4;
          if (kind === 1 || kind === 2) expect(got).toBeUndefined();
          else expect(decodeRecord(got!).map((x) => x.expiresAt)).toEqual([undefined]);
          // Every purge reported, with the version it dropped (1: the expired sibling or the tombstone).
          if (kind === 0) expect(purged.has(`u${i}`)).toBe(false);
          else expect(purged.get(`u${i}`)).toEqual([kind === 3 ? 'replace' : 'remove', [[1]]]);
        }
        expect(purged.size).toBe(2250);
      } finally {
        await e.close();
      }
    }));

  it('runs a portable test filter on the worker only (never calls the main-thread filter)', () =>
    withDir(async (dir) => {
      const e = await openDisk(dir, diskOptions('tiered'));
      try {
        e.setCompactionFilter(prefixFilter('k0001', 'k0002', true));
        const model = await fill(e, 6000, 600, 3);
        calls.count = 0;
        await e.compactRange();
        await settle(e);
        expect(calls.count).toBe(0);
        expect(stat(e, 'workerCompactions')).toBe(stat(e, 'compactions'));
        expect(stat(e, 'filterRemoved')).toBeGreaterThan(0);
        expect(stat(e, 'filterReplaced')).toBeGreaterThan(0);
        for (const [k, v] of model) {
          const name = Buffer.from(key(k)).toString();
          if (name.startsWith('k0001')) model.set(k, undefined);
          else if (name.startsWith('k0002') && v !== undefined) model.set(k, v.toUpperCase());
        }
        await expectModel(e, model);
      } finally {
        await e.close();
      }
    }));

  it('runs a compaction whose filter is not portable on the main thread', async () => {
    const dir = tempDir();
    calls.count = 0;
    const e = new LsmStorageEngine(new NodeFileSystem(), dir, diskOptions('leveled'), new SystemClock());
    e.setCompactionFilter(prefixFilter('k0001', 'k0002', false));
    await e.open();
    try {
      const model = await fill(e, 8000, 800, 4);
      await e.compactRange();
      await settle(e);
      expect(stat(e, 'compactions')).toBeGreaterThan(2);
      expect(stat(e, 'workerCompactions')).toBe(0);
      expect(calls.count).toBeGreaterThan(0);
      for (const k of model.keys()) if (Buffer.from(key(k)).toString().startsWith('k0001')) model.set(k, undefined);
      for (const [k, v] of model)
        expect(
          v === undefined
            ? undefined
            : Buffer.from((await e.get(key(k)))!)
                .toString()
                .toLowerCase(),
        ).toBe(v);
    } finally {
      await e.close();
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  it('redoes a background compaction without a filter that threw on the worker; compactRange rejects with its error', async () => {
    const dir = tempDir();
    calls.count = 0;
    const e = new LsmStorageEngine(new NodeFileSystem(), dir, diskOptions('leveled'), new SystemClock());
    e.setCompactionFilter(throwingFilter('k0001'));
    await e.open();
    try {
      const model = await fill(e, 8000, 800, 5);
      await settle(e);
      expect(stat(e, 'filterFailures')).toBeGreaterThan(0);
      expect(stat(e, 'workerCompactions')).toBe(stat(e, 'compactions'));
      await expect(e.compactRange()).rejects.toThrow(/test filter refuses k0001/);
      expect(calls.count).toBe(0);
      await expectModel(e, model);
      await e.put(key(1), s('still writable'));
    } finally {
      await e.close();
      rmSync(dirname(dir), { recursive: true, force: true });
    }
  });

  it('compacts inline on other file systems, and on disk when backgroundThread is false', async () => {
    const mem = new LsmStorageEngine(new MemoryFileSystem(), '/db', diskOptions('leveled'), new SystemClock());
    await mem.open();
    await fill(mem, 4000, 500, 6);
    await mem.compactRange();
    expect(stat(mem, 'flushes')).toBeGreaterThan(0);
    expect(stat(mem, 'compactions')).toBeGreaterThan(0);
    expect(stat(mem, 'workerCompactions')).toBe(0);
    await mem.close();
    await withDir(async (dir) => {
      const e = await openDisk(dir, diskOptions('leveled', { compaction: { backgroundThread: false } }));
      const model = await fill(e, 4000, 500, 7);
      await e.compactRange();
      expect(stat(e, 'compactions')).toBeGreaterThan(0);
      expect(stat(e, 'workerCompactions')).toBe(0);
      await expectModel(e, model);
      await e.close();
    });
  });
});
