import { describe, expect, it } from '@jest/globals';
import { SystemClock } from '@dynamis/core';
import { LsmStorageEngine } from '../src';
import { CrashingFileSystem } from './CrashingFileSystem';
import { smallOptions } from './helpers';

/**
 * Power loss at every single step of the life of a range tombstone: its
 * memtable's flush (table + manifest edit carrying the tombstone, WAL
 * removal), the compaction that applies it and the edit that drops it.
 * After each crash the reopened engine must read exactly the acknowledged
 * state: the deleted range stays deleted (never half), the writes after it
 * stay.
 */
describe('range deletion crash safety on the fault-injecting file system', () => {
  it('a power loss at any step of flush, compaction and tombstone collection loses nothing and resurrects nothing', async () => {
    const options = smallOptions('leveled', { fsync: 'always', memtableBytes: 4096 });
    const clock = new SystemClock();
    const key = (i: number): Buffer => Buffer.from(`k${String(i).padStart(4, '0')}`);
    const expected = new Map<number, string | undefined>();
    for (let i = 0; i < 300; i++) expected.set(i, i >= 50 && i < 250 ? undefined : `v-${i}`);
    for (let i = 100; i < 110; i++) expected.set(i, `after-${i}`);

    /** Loads the data, deletes [50, 250), rewrites 100..109, then crashes `at` steps into compactRange (0: none). */
    const attempt = async (at: number): Promise<{ steps: number; crashedAt: string | undefined }> => {
      const fs = new CrashingFileSystem();
      const e = new LsmStorageEngine(fs, '/db', options, clock);
      await e.open();
      for (let i = 0; i < 300; i++) await e.put(key(i), Buffer.from(`v-${i}`.padEnd(30, '.')));
      for (let i = 0; i < 300; i++) await e.put(key(i), Buffer.from(`v-${i}`));
      await e.compactRange({ gte: key(9999), lte: key(9999) }); // flush everything first: the range spans tables
      await e.deleteRange(key(50), key(250));
      for (let i = 100; i < 110; i++) await e.put(key(i), Buffer.from(`after-${i}`));
      const before = fs.ops;
      if (at > 0) fs.armCrash(at);
      await e.compactRange().catch(() => undefined);
      await e.close().catch(() => undefined);
      const steps = fs.ops - before;
      const crashedAt = fs.crashedAt;
      if (fs.armed) fs.armCrash(0); // past the end: no crash this time
      const again = new LsmStorageEngine(fs, '/db', options, clock);
      await again.open();
      for (const [i, v] of expected) {
        const got = await again.get(key(i));
        expect([i, got === undefined ? undefined : Buffer.from(got).toString()]).toEqual([i, v]);
      }
      let scanned = 0;
      for await (const entry of again.iterator({ reverse: true })) if (entry !== undefined) scanned++;
      expect(scanned).toBe([...expected.values()].filter((v) => v !== undefined).length);
      await again.close();
      return { steps, crashedAt };
    };

    const { steps } = await attempt(0);
    expect(steps).toBeGreaterThan(15); // WAL switch, flush, table writes, syncs, manifest edits, removals
    const hits = new Set<string>();
    for (let at = 1; at <= steps; at++) {
      const { crashedAt } = await attempt(at);
      if (crashedAt !== undefined) hits.add(crashedAt.replace(/\d{6}/, 'N'));
    }
    const kinds = [...hits].join(' ');
    expect(kinds).toMatch(/\.log/);
    expect(kinds).toMatch(/\.sst/);
    expect(kinds).toMatch(/MANIFEST/);
  }, 300_000);
});
