import { describe, expect, it } from '@jest/globals';
import { isDynamisError, type DamagedRange } from '@dynamis/core';
import { FaultyFileSystem, Scheduler, VirtualClock } from '@dynamis/testkit';
import { LsmStorageEngine, type LsmOptions } from '../src';
import { FOOTER_BYTES, readFooter } from '../src/sstable/format';
import { withDir } from './bgHelpers';
import { key, s, smallOptions, stat } from './helpers';
import { runChild } from './runChild';

/*
 * The background scrub (README, "Scrub") on the simulated disk and virtual
 * time: damage in a table nothing reads is found by the scheduled pass and
 * goes the way of damage found by a read (quarantine, fence, listener);
 * an undamaged database is read whole and left as it was; the rate limit
 * holds on the virtual clock; a table compacted away mid-pass is skipped.
 */

const DIR = '/db';
const INTERVAL = 60_000;
// No cache, no resident tables: the only way to the bytes is the file (the scrub reads the file anyway).
const options = (scrub: LsmOptions['scrub'] = {}): LsmOptions =>
  smallOptions('leveled', {
    memtableBytes: 64 * 1024,
    blockCacheBytes: 0,
    residentTableBytes: 0,
    scrub: { intervalMs: INTERVAL, ...scrub },
  });

interface World {
  readonly scheduler: Scheduler;
  readonly clock: VirtualClock;
  readonly fs: FaultyFileSystem;
}

function world(): World {
  const scheduler = new Scheduler();
  return { scheduler, clock: new VirtualClock(scheduler), fs: new FaultyFileSystem() };
}

/**
 * Keys 0..59 = old-i in the last level (table A); keys 10..19 rewritten
 * (15 deleted) in a newer level-0 table B (as quarantine.int.spec.ts).
 * Returns B's file name; the engine is closed.
 */
async function twoTables(w: World, opts: LsmOptions): Promise<string> {
  let e = new LsmStorageEngine(w.fs, DIR, opts, w.clock);
  await e.open();
  for (let i = 0; i < 60; i++) await e.put(key(i), s(`old-${i}`));
  await e.compactRange();
  for (let i = 10; i < 20; i++) {
    if (i === 15) await e.delete(key(i));
    else await e.put(key(i), s(`new-${i}`));
  }
  await e.close();
  e = new LsmStorageEngine(w.fs, DIR, opts, w.clock);
  await e.open(); // the WAL replays into table B
  await e.close();
  const tables = tableNames(w.fs);
  expect(tables).toHaveLength(2);
  return tables[1]!;
}

function tableNames(fs: FaultyFileSystem): string[] {
  return fs.list(DIR).filter((n) => n.endsWith('.sst'));
}

function tableBytes(fs: FaultyFileSystem): number {
  return tableNames(fs).reduce((n, name) => n + fs.size(`${DIR}/${name}`), 0);
}

/** The offset of one byte inside each checksummed part of `table`. */
function partOffsets(fs: FaultyFileSystem, table: string): Record<string, number> {
  const bytes = fs.readFile(`${DIR}/${table}`);
  const footer = readFooter(bytes.subarray(bytes.length - FOOTER_BYTES), table, bytes.length);
  expect(footer.filter.size).toBeGreaterThan(0);
  return {
    'a data block': 12,
    'the index block': footer.index.offset + 1,
    'the filter block': footer.filter.offset + 1,
    'the properties block': footer.properties.offset + 1,
    'the footer': bytes.length - FOOTER_BYTES + 3,
  };
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; damaged: unknown }> {
  try {
    await p;
  } catch (err) {
    if (isDynamisError(err)) return { code: err.code, damaged: err.details?.['damaged'] };
    throw err;
  }
  throw new Error('expected a rejection');
}

describe('background scrub', () => {
  for (const part of ['a data block', 'the index block', 'the filter block', 'the properties block', 'the footer']) {
    it(`finds a flipped byte in ${part} of a table nothing reads, on schedule, and quarantines it as a read would`, async () => {
      const w = world();
      const opts = options({ bytesPerSec: 1024 * 1024 });
      const table = await twoTables(w, opts);
      w.fs.corrupt(`${DIR}/${table}`, partOffsets(w.fs, table)[part]!);

      const e = new LsmStorageEngine(w.fs, DIR, opts, w.clock);
      const heard: DamagedRange[] = [];
      e.setDamageListener((d) => heard.push(d));
      await e.open();
      const opened = w.scheduler.now();
      await w.scheduler.runFor(INTERVAL - 1); // not due yet
      expect([heard.length, stat(e, 'scrubPasses'), stat(e, 'scrubbedBytes')]).toEqual([0, 0, 0]);

      expect(await w.scheduler.runWhileNot(() => stat(e, 'scrubPasses') === 1, opened + INTERVAL + 10_000)).toBe(true);
      expect(stat(e, 'gets')).toBe(0); // nothing read it but the scrub
      expect(heard).toHaveLength(1);
      expect([Buffer.from(heard[0]!.gte).toString(), Buffer.from(heard[0]!.lte).toString()]).toEqual(['k000010', 'k000019']);
      expect(heard[0]!.source).toBe(`${DIR}/quarantine/${table}`);
      expect(e.damaged().map((d) => d.source)).toEqual([`${DIR}/quarantine/${table}`]);
      expect([stat(e, 'quarantinedTables'), stat(e, 'damagedRanges'), stat(e, 'scrubDamagedTables')]).toEqual([1, 1, 1]);
      expect(stat(e, 'scrubbedTables')).toBe(1); // table A, whole
      expect(stat(e, 'lastScrubAt')).toBe(w.clock.now());
      // The fence, as after a read found it: no older value comes back; the rest is served.
      expect(await rejection(e.get(key(15)))).toEqual({ code: 'CORRUPTION', damaged: true });
      expect(Buffer.from((await e.get(key(20)))!).toString()).toBe('old-20');
      expect(w.fs.exists(`${DIR}/quarantine/${table}`)).toBe(true);
      expect(w.fs.exists(`${DIR}/${table}`)).toBe(false);
      await e.close();
    });
  }

  it('scrub() on an undamaged database reads every byte of every table, finds nothing and changes nothing; passes repeat', async () => {
    const w = world();
    const opts = options({ bytesPerSec: 1024 * 1024 });
    await twoTables(w, opts);
    const e = new LsmStorageEngine(w.fs, DIR, opts, w.clock);
    const heard: DamagedRange[] = [];
    e.setDamageListener((d) => heard.push(d));
    await e.open();
    const files = w.fs.list(DIR).sort();
    const bytes = tableBytes(w.fs);

    const report = await e.scrub({ throttle: false });
    expect(report).toEqual({ tables: 2, bytes, skipped: 0, errors: 0, damaged: [], stopped: false });
    expect(heard).toEqual([]);
    expect(e.damaged()).toEqual([]);
    expect([stat(e, 'quarantinedTables'), stat(e, 'scrubbedTables'), stat(e, 'scrubbedBytes'), stat(e, 'scrubPasses')]).toEqual([
      0,
      2,
      bytes,
      1,
    ]);
    expect(w.fs.list(DIR).sort()).toEqual([...files, 'SCRUBBED'].sort()); // only the record of the pass is new
    for (let i = 0; i < 60; i++) {
      const want = i === 15 ? undefined : i >= 10 && i < 20 ? `new-${i}` : `old-${i}`;
      const got = await e.get(key(i));
      expect(got === undefined ? undefined : Buffer.from(got).toString()).toBe(want);
    }
    // The scheduled passes: one every interval after the previous one ended.
    await w.scheduler.runFor(3 * INTERVAL + 1000);
    expect(stat(e, 'scrubPasses')).toBe(4);
    expect(stat(e, 'scrubbedBytes')).toBe(4 * bytes);
    expect(heard).toEqual([]);
    await e.close();
  });

  it('holds scrub.bytesPerSec on the virtual clock, and is not much slower than it', async () => {
    const w = world();
    const rate = 16 * 1024;
    const opts = options({ bytesPerSec: rate });
    const e = new LsmStorageEngine(w.fs, DIR, opts, w.clock);
    await e.open();
    for (let i = 0; i < 1500; i++) await e.put(key(i), s(`value-${i}-${'v'.repeat(80)}`));
    await e.compactRange();
    const total = tableBytes(w.fs);
    expect(total).toBeGreaterThan(8 * rate); // a pass of several virtual seconds
    const start = w.scheduler.now() + INTERVAL; // when the first pass starts
    await w.scheduler.runUntil(start);
    let samples = 0;
    while (stat(e, 'scrubPasses') === 0) {
      await w.scheduler.runFor(37);
      const elapsed = w.scheduler.now() - start;
      const scrubbed = stat(e, 'scrubbedBytes');
      expect(`${scrubbed} bytes after ${elapsed} ms`).toBe(
        `${Math.min(scrubbed, Math.floor((rate * elapsed) / 1000))} bytes after ${elapsed} ms`,
      );
      expect(elapsed).toBeLessThan((total / rate) * 1000 * 1.1 + 1000); // and it keeps going
      samples++;
    }
    expect(samples).toBeGreaterThan(100);
    expect(stat(e, 'scrubbedBytes')).toBe(total);
    await e.close();
  });

  it('a table compacted away while the pass reads it is skipped cleanly; the compaction goes on', async () => {
    const w = world();
    const opts = options({ bytesPerSec: 4096 });
    const e = new LsmStorageEngine(w.fs, DIR, opts, w.clock);
    const heard: DamagedRange[] = [];
    e.setDamageListener((d) => heard.push(d));
    await e.open();
    for (let i = 0; i < 400; i++) await e.put(key(i), s(`a-${i}-${'x'.repeat(40)}`));
    await e.compactRange(); // the last level
    for (let i = 0; i < 400; i += 2) await e.put(key(i), s(`b-${i}`));
    await e.compactRange({ gte: s('z'), lt: s('z\x01') }); // a flush only: a level-0 table over the same keys
    const before = tableNames(w.fs);
    expect(before.length).toBeGreaterThan(1);
    const pass = e.scrub(); // throttled: 4 KiB per virtual second
    expect(await w.scheduler.runWhileNot(() => stat(e, 'scrubbedBytes') > 0, w.scheduler.now() + 5000)).toBe(true);
    expect(stat(e, 'scrubbedTables')).toBe(0); // inside the first table (its footer read)
    await e.compactRange(); // every table it is about to read goes
    expect(tableNames(w.fs).some((n) => before.includes(n))).toBe(false);
    await w.scheduler.runFor(1000);
    const report = await pass;
    expect(report).toMatchObject({ tables: 0, skipped: before.length, errors: 0, damaged: [], stopped: false });
    expect(report.bytes).toBeLessThan(tableBytes(w.fs));
    expect([heard.length, stat(e, 'quarantinedTables'), stat(e, 'scrubPasses')]).toEqual([0, 0, 1]);
    for (let i = 0; i < 400; i++) {
      expect(Buffer.from((await e.get(key(i)))!).toString()).toBe(i % 2 === 0 ? `b-${i}` : `a-${i}-${'x'.repeat(40)}`);
    }
    await e.put(key(1000), s('after')); // writes go on: no background failure
    // The next pass reads the new tables.
    expect((await e.scrub({ throttle: false })).tables).toBe(tableNames(w.fs).length);
    await e.close();
  });

  it('close() stops a pass under way; the next pass is due an interval after the last one ended, across restarts', async () => {
    const w = world();
    const opts = options({ bytesPerSec: 1024 * 1024 });
    await twoTables(w, opts);
    let e = new LsmStorageEngine(w.fs, DIR, opts, w.clock);
    await e.open();
    await w.scheduler.runFor(INTERVAL + 1000);
    expect(stat(e, 'scrubPasses')).toBe(1);
    const endedAt = stat(e, 'lastScrubAt');
    await w.scheduler.runFor(INTERVAL / 2);
    await e.close();

    e = new LsmStorageEngine(w.fs, DIR, opts, w.clock);
    await e.open(); // half an interval after the pass: the next is due in half an interval, not a whole one
    await w.scheduler.runUntil(endedAt - w.clock.now() + w.scheduler.now() + INTERVAL + 1000);
    expect(stat(e, 'scrubPasses')).toBe(1);
    await e.close();

    const slow = options({ bytesPerSec: 4096 });
    e = new LsmStorageEngine(w.fs, DIR, slow, w.clock);
    await e.open();
    const pass = e.scrub();
    expect(await w.scheduler.runWhileNot(() => stat(e, 'scrubbedBytes') > 0, w.scheduler.now() + 5000)).toBe(true);
    await e.close();
    expect(await pass).toMatchObject({ stopped: true, damaged: [] });
    expect(w.clock.pendingTimers()).toBe(0); // no sleep or timer left behind
  });

  it('intervalMs 0: no background pass; scrub() still verifies', async () => {
    const w = world();
    const opts = options({ intervalMs: 0 });
    const table = await twoTables(w, opts);
    w.fs.corrupt(`${DIR}/${table}`, 12);
    const e = new LsmStorageEngine(w.fs, DIR, opts, w.clock);
    await e.open();
    expect(w.clock.pendingTimers()).toBe(0);
    await w.scheduler.runFor(10 * INTERVAL);
    expect([stat(e, 'scrubPasses'), stat(e, 'quarantinedTables')]).toEqual([0, 0]);
    const report = await e.scrub({ throttle: false });
    expect(report.damaged).toEqual([
      { file: `${DIR}/${table}`, offset: 0, reason: expect.stringContaining('checksum mismatch'), quarantined: true },
    ]);
    expect(e.damaged()).toHaveLength(1);
    expect(w.clock.pendingTimers()).toBe(0);
    await e.close();
  });

  it('a script awaiting a throttled scrub() on the real clock does not exit mid-pass', async () => {
    await withDir(async (dir) => {
      const { code, out, err } = await runChild('scrubAwaiter.ts', [dir], 120_000);
      expect({ code, out, err }).toEqual({ code: 0, out: expect.stringMatching(/^scrubbed \d+ \d+ \d+\n$/), err: '' });
      const [, tables, bytes, sstBytes] = out.trim().split(' ').map(Number);
      expect(tables).toBeGreaterThan(0);
      expect(bytes).toBe(sstBytes); // every byte of every table
    });
  }, 150_000);
});
