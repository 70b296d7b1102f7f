import { describe, expect, it } from '@jest/globals';
import { SystemClock, type WritableFile } from '@dynamis/core';
import { MemoryFileSystem } from '@dynamis/testkit';
import { LsmStorageEngine } from '../src';
import { key, smallOptions, stat } from './helpers';

/** A MemoryFileSystem whose table fsyncs block once `allowed` of them have gone through, until `open()`. */
class GatedFileSystem extends MemoryFileSystem {
  allowed = Infinity;
  private release: (() => void) | undefined;
  private gate: Promise<void> | undefined;

  close(): void {
    this.gate = new Promise((resolve) => (this.release = resolve));
  }

  open(): void {
    this.allowed = Infinity;
    this.release?.();
    this.gate = undefined;
  }

  override create(path: string): WritableFile {
    const inner = super.create(path);
    if (!path.endsWith('.sst')) return inner;
    return {
      path,
      get size() {
        return inner.size;
      },
      append: (data) => inner.append(data),
      sync: async () => {
        if (this.allowed-- <= 0 && this.gate !== undefined) await this.gate;
        await inner.sync();
      },
      close: () => inner.close(),
    };
  }
}

const value = new Uint8Array(200).fill(1);
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('write stalls', () => {
  it('writes wait (never fail) while every memtable is full and flushes are stuck, and count it', async () => {
    const fs = new GatedFileSystem();
    fs.close();
    fs.allowed = 0;
    const e = new LsmStorageEngine(
      fs,
      '/db',
      smallOptions('leveled', { memtableBytes: 4096, maxImmutableMemtables: 2 }),
      new SystemClock(),
    );
    await e.open();
    const settled: boolean[] = [];
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      const p = e.put(key(i), value);
      settled.push(false);
      writes.push(p.then(() => void (settled[i] = true)));
    }
    for (let i = 0; i < 20; i++) await tick();
    expect(stat(e, 'immutableMemtables')).toBe(2);
    expect(stat(e, 'stallCount')).toBeGreaterThan(0);
    expect(settled.filter((s) => s).length).toBeLessThan(200);
    expect(settled.indexOf(false)).toBeGreaterThan(0); // stalled writes are the later ones, in order
    fs.open();
    await Promise.all(writes);
    for (let i = 0; i < 200; i++) expect(await e.get(key(i))).toEqual(value);
    expect(stat(e, 'stallMs')).toBeGreaterThan(0);
    expect(stat(e, 'flushes')).toBeGreaterThan(2);
    await e.close();
  });

  it('writes wait while L0 is at the stop trigger and a compaction is stuck', async () => {
    const fs = new GatedFileSystem();
    fs.close();
    fs.allowed = 2; // two flushes go through, then the compaction they trigger hangs
    const options = smallOptions('leveled', {
      memtableBytes: 4096,
      maxImmutableMemtables: 4,
      compaction: { l0CompactionTrigger: 2, l0SlowdownTrigger: 2, l0StopTrigger: 2 },
    });
    const e = new LsmStorageEngine(fs, '/db', options, new SystemClock());
    await e.open();
    let done = 0;
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) writes.push(e.put(key(i), value).then(() => void done++));
    for (let i = 0; i < 50 && stat(e, 'level0Files') < 2; i++) await new Promise((r) => setTimeout(r, 2));
    for (let i = 0; i < 20; i++) await tick();
    expect(stat(e, 'level0Files')).toBe(2);
    expect(done).toBeLessThan(200);
    expect(stat(e, 'stallCount')).toBeGreaterThan(0);
    fs.open();
    await Promise.all(writes);
    expect(stat(e, 'compactions')).toBeGreaterThan(0);
    for (let i = 0; i < 200; i++) expect(await e.get(key(i))).toEqual(value);
    await e.close();
  });

  it('at the slowdown trigger every write is delayed about 1 ms, counted', async () => {
    const fs = new MemoryFileSystem();
    const options = smallOptions('leveled', {
      memtableBytes: 4096,
      compaction: { l0CompactionTrigger: 4, l0SlowdownTrigger: 1, l0StopTrigger: 12 },
    });
    const e = new LsmStorageEngine(fs, '/db', options, new SystemClock());
    await e.open();
    for (let i = 0; i < 30; i++) await e.put(key(i), value); // fills a memtable: one L0 file
    while (stat(e, 'level0Files') < 1) await new Promise((r) => setTimeout(r, 1));
    const before = stat(e, 'slowdowns');
    const start = performance.now();
    for (let i = 0; i < 10; i++) await e.put(key(1000 + i), value);
    expect(performance.now() - start).toBeGreaterThanOrEqual(9);
    expect(stat(e, 'slowdowns') - before).toBe(10);
    expect(stat(e, 'stallMs')).toBeGreaterThan(0);
    await e.close();
  });
});
