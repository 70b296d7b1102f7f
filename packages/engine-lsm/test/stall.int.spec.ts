import { describe, expect, it } from '@jest/globals';
import { SystemClock, type WritableFile } from '@dynamis/core';
import { MemoryFileSystem, Scheduler, VirtualClock } from '@dynamis/testkit';
import { LsmStorageEngine } from '../src';
import { until } from './bgHelpers';
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
    try {
      await until(() => stat(e, 'immutableMemtables') === 2 && stat(e, 'stallCount') > 0, 30_000, 'two frozen memtables and a stall');
      expect(settled.filter((s) => s).length).toBeLessThan(200); // no flush can finish: the rest wait
      expect(settled.indexOf(false)).toBeGreaterThan(0); // stalled writes are the later ones, in order
    } finally {
      fs.open(); // even after a failure: a waiting write keeps the process alive
    }
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
    try {
      await until(() => stat(e, 'level0Files') === 2 && stat(e, 'stallCount') > 0, 30_000, 'two L0 files and a stall');
      expect(done).toBeLessThan(200); // the compaction cannot finish: the rest wait
      expect(stat(e, 'slowdowns')).toBe(0); // at l0StopTrigger (= l0SlowdownTrigger) writes stop, never merely slow down
    } finally {
      fs.open(); // even after a failure: a waiting write keeps the process alive
    }
    await Promise.all(writes);
    expect(stat(e, 'compactions')).toBeGreaterThan(0);
    for (let i = 0; i < 200; i++) expect(await e.get(key(i))).toEqual(value);
    await e.close();
  });

  it('at the slowdown trigger every write waits 1 ms of the clock, counted', async () => {
    const fs = new MemoryFileSystem();
    const scheduler = new Scheduler();
    const options = smallOptions('leveled', {
      memtableBytes: 4096,
      compaction: { l0CompactionTrigger: 4, l0SlowdownTrigger: 1, l0StopTrigger: 12 },
    });
    const e = new LsmStorageEngine(fs, '/db', options, new VirtualClock(scheduler));
    await e.open();
    // Fills one memtable (no write may wait on the clock yet: it does not move until below).
    for (let i = 0; stat(e, 'immutableMemtables') + stat(e, 'level0Files') === 0; i++) await e.put(key(i), value);
    await until(() => stat(e, 'level0Files') === 1, 30_000, 'the first flush');
    const before = { slowdowns: stat(e, 'slowdowns'), stallMs: stat(e, 'stallMs') };
    for (let i = 0; i < 10; i++) {
      let done = false;
      const write = e.put(key(1000 + i), value).then(() => void (done = true));
      try {
        await until(() => scheduler.pending() > 0, 30_000, 'the write to sleep');
        expect(scheduler.nextAt()).toBe(scheduler.now() + 1);
        expect(done).toBe(false); // held until the clock moves
      } finally {
        await scheduler.runFor(1000); // even after a failure: a waiting write keeps the process alive
      }
      await write;
    }
    expect(stat(e, 'slowdowns') - before.slowdowns).toBe(10);
    expect(stat(e, 'stallMs') - before.stallMs).toBe(10); // 1 ms of the clock each
    await e.close();
  });
});
