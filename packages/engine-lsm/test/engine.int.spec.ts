import { describe, expect, it } from '@jest/globals';
import {
  ClockToken,
  ConfigToken,
  FileSystemToken,
  LoggerToken,
  parseConfig,
  StorageEngineToken,
  SystemClock,
  type Clock,
  type Logger,
  type StorageEngine,
} from '@dynamis/core';
import { FaultyFileSystem, MemoryFileSystem, Scheduler, VirtualClock } from '@dynamis/testkit';
import { Container } from 'inversify';
import { LsmStorageEngine, lsmEngine, type LsmOptions } from '../src';
import { until } from './bgHelpers';
import { key, prng, s, smallOptions, stat } from './helpers';

const clock = new SystemClock();

async function open(fs: MemoryFileSystem, options: LsmOptions, logger?: Logger, on: Clock = clock): Promise<LsmStorageEngine> {
  const e = new LsmStorageEngine(fs, '/db', options, on, logger);
  await e.open();
  return e;
}

function text(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : Buffer.from(b).toString();
}

/** Fills `e` with `n` random overwrites over `keys` keys; returns the model. */
async function fill(e: StorageEngine, n: number, keys: number, seed: number): Promise<Map<number, string | undefined>> {
  const rand = prng(seed);
  const model = new Map<number, string | undefined>();
  for (let i = 0; i < n; i++) {
    const k = Math.floor(rand() * keys);
    if (rand() < 0.15) {
      await e.delete(key(k));
      model.set(k, undefined);
    } else {
      const v = `v${i}-`.padEnd(20 + Math.floor(rand() * 80), '#');
      await e.put(key(k), s(v));
      model.set(k, v);
    }
  }
  return model;
}

async function expectModel(e: StorageEngine, model: Map<number, string | undefined>): Promise<void> {
  for (const [k, v] of model) expect([k, text(await e.get(key(k)))]).toEqual([k, v]);
  const live = [...model].filter(([, v]) => v !== undefined).sort(([a], [b]) => a - b);
  const scanned: [number, string][] = [];
  for await (const [k, v] of e.iterator()) scanned.push([Number(Buffer.from(k).toString().slice(1)), Buffer.from(v).toString()]);
  expect(scanned).toEqual(live);
}

describe('LsmStorageEngine', () => {
  for (const strategy of ['leveled', 'tiered'] as const) {
    it(`${strategy}: flushes and compacts in the background, reads right throughout and after reopen`, async () => {
      const fs = new MemoryFileSystem();
      let e = await open(fs, smallOptions(strategy));
      const model = await fill(e, 6000, 1500, 7);
      expect(stat(e, 'flushes')).toBeGreaterThan(10);
      expect(stat(e, 'compactions') + stat(e, 'trivialMoves')).toBeGreaterThan(3);
      expect(stat(e, 'sstFiles')).toBeGreaterThan(1);
      expect(stat(e, 'writeAmplification')).toBeGreaterThan(1);
      await expectModel(e, model);
      await e.close();
      e = await open(fs, smallOptions(strategy));
      await expectModel(e, model);
      await e.compactRange();
      expect(stat(e, 'level0Files')).toBe(0);
      expect(stat(e, 'level4Files')).toBe(stat(e, 'sstFiles'));
      await expectModel(e, model);
      await e.close();
    }, 60_000);
  }

  it('an iterator keeps reading its snapshot while compactions replace the files it reads', async () => {
    const fs = new MemoryFileSystem();
    const e = await open(fs, smallOptions('leveled'));
    for (let i = 0; i < 800; i++) await e.put(key(i), s(`old-${i}`));
    const it = e.iterator({ gte: key(100) });
    const first = await it.nextv(10);
    for (let i = 0; i < 800; i++) await (i % 3 === 0 ? e.delete(key(i)) : e.put(key(i), s(`new-${i}`)));
    await e.compactRange();
    const rest = await it.nextv(Infinity);
    const all = [...first, ...rest].map(([k, v]) => `${Buffer.from(k).toString()}=${Buffer.from(v).toString()}`);
    expect(all).toHaveLength(700);
    expect(all[0]).toBe('k000100=old-100');
    expect(all[699]).toBe('k000799=old-799');
    await it.close();
    expect(text(await e.get(key(1)))).toBe('new-1');
    expect(await e.get(key(0))).toBeUndefined();
    // Files of the old version went away once the iterator closed.
    const live = stat(e, 'sstFiles');
    expect(fs.list('/db').filter((n) => n.endsWith('.sst'))).toHaveLength(live);
    await e.close();
  });

  it('deletion markers are dropped at the bottom: a fully deleted key space compacts to nothing', async () => {
    const fs = new MemoryFileSystem();
    const e = await open(fs, smallOptions('tiered'));
    for (let i = 0; i < 500; i++) await e.put(key(i), s('x'.repeat(50)));
    for (let i = 0; i < 500; i++) await e.delete(key(i));
    await e.compactRange();
    expect(stat(e, 'sstFiles')).toBe(0);
    expect(e.stats().approximateBytes).toBe(0);
    expect(await e.get(key(3))).toBeUndefined();
    await e.close();
  });

  it('a compaction filter runs in background compactions; one that throws is skipped, never losing data', async () => {
    const fs = new MemoryFileSystem();
    const warnings: string[] = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (msg) => void warnings.push(msg),
      error: (msg) => void warnings.push(msg),
      child: () => logger,
    };
    const e = await open(fs, smallOptions('leveled'), logger);
    e.setCompactionFilter(() => {
      throw new Error('filter bug');
    });
    for (let i = 0; i < 3000; i++) await e.put(key(i % 700), s(`v${i}`.padEnd(40, '-')));
    await until(() => stat(e, 'filterFailures') > 0, 30_000, 'a background compaction to meet the filter');
    expect(warnings.some((w) => w.includes('filter threw'))).toBe(true);
    e.setCompactionFilter((k) => (Buffer.from(k).toString() < 'k000100' ? { action: 'remove' } : { action: 'keep' }));
    await e.compactRange();
    expect(await e.get(key(99))).toBeUndefined();
    expect(text(await e.get(key(100)))).toBe('v2900'.padEnd(40, '-'));
    expect(stat(e, 'filterRemoved')).toBe(100);
    await e.put(s('after'), s('ok'));
    await e.close();
  });

  it('coalesces the WAL appends of concurrent writers; one awaited at a time still gets its own append', async () => {
    const fs = new FaultyFileSystem();
    const e = await open(fs, smallOptions('leveled', { memtableBytes: 1 << 20 }));
    let before = fs.stats.appends;
    for (let i = 0; i < 10; i++) await e.put(key(i), s(`v${i}`));
    expect(fs.stats.appends - before).toBe(10);
    before = fs.stats.appends;
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 64; i++) writes.push(e.put(key(100 + i), s(`w${i}`)));
    writes.push(e.write([{ type: 'del', key: key(0) }]));
    expect(await e.get(key(163))).toBeUndefined(); // deferred to the end of the burst, not acknowledged yet
    await Promise.all(writes);
    expect(fs.stats.appends - before).toBe(2); // the first write of the burst, then the other 64 at once
    await e.close();
    const again = await open(fs, smallOptions('leveled'));
    expect(await again.get(key(0))).toBeUndefined();
    for (let i = 0; i < 64; i++) expect(text(await again.get(key(100 + i)))).toBe(`w${i}`);
    await again.close();
  });

  it('after a failed WAL fsync, every write rejects with that error; reads go on; a reopen recovers', async () => {
    const fs = new FaultyFileSystem();
    const e = await open(fs, smallOptions('leveled', { fsync: 'always' }));
    await e.put(s('a'), s('1'));
    fs.failNext('sync');
    await expect(e.put(s('b'), s('2'))).rejects.toMatchObject({ code: 'IO_ERROR' });
    await expect(e.put(s('c'), s('3'))).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(text(await e.get(s('a')))).toBe('1');
    await e.close();
    const again = await open(fs, smallOptions('leveled', { fsync: 'always' }));
    expect(text(await again.get(s('a')))).toBe('1');
    await again.put(s('c'), s('3'));
    expect(text(await again.get(s('c')))).toBe('3');
    await again.close();
  });

  it('takes the directory lock: a second engine on the same directory gets UNAVAILABLE', async () => {
    const fs = new MemoryFileSystem();
    const a = await open(fs, smallOptions('leveled'));
    const b = new LsmStorageEngine(fs, '/db', smallOptions('leveled'), clock);
    await expect(b.open()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await a.close();
    await b.open();
    await b.close();
  });

  it('removes files no manifest lists on open', async () => {
    const fs = new MemoryFileSystem();
    const e = await open(fs, smallOptions('leveled'));
    await e.put(s('k'), s('v'));
    await e.close();
    for (const junk of ['999990.sst', '000000.log', 'MANIFEST-000000', 'CURRENT.tmp']) fs.create(`/db/${junk}`).append(s('junk'));
    const again = await open(fs, smallOptions('leveled'));
    const names = fs.list('/db');
    for (const junk of ['999990.sst', '000000.log', 'MANIFEST-000000', 'CURRENT.tmp']) expect(names).not.toContain(junk);
    expect(text(await again.get(s('k')))).toBe('v');
    await again.close();
  });

  it('group commit: 64 concurrent writers under fsync always share a few fsyncs', async () => {
    const fs = new MemoryFileSystem();
    const e = await open(fs, smallOptions('leveled', { fsync: 'always', memtableBytes: 1 << 20 }));
    const before = stat(e, 'walSyncs');
    await Promise.all(Array.from({ length: 64 }, (_, i) => e.put(key(i), s(`v${i}`))));
    expect(stat(e, 'walSyncs') - before).toBeLessThanOrEqual(3);
    await e.close();
  });

  it("fsync 'interval' fsyncs the WAL on a timer of the engine's clock, only when written to", async () => {
    const fs = new MemoryFileSystem();
    const scheduler = new Scheduler();
    const e = await open(fs, smallOptions('leveled', { fsync: 'interval', fsyncIntervalMs: 50 }), undefined, new VirtualClock(scheduler));
    await e.put(s('a'), s('1'));
    const before = stat(e, 'walSyncs');
    await scheduler.runFor(49);
    expect(stat(e, 'walSyncs')).toBe(before); // not before the interval
    await scheduler.runFor(1);
    await until(() => stat(e, 'walSyncs') > before, 30_000, 'the timer fsync');
    expect(stat(e, 'walSyncs')).toBe(before + 1);
    await scheduler.runFor(200);
    expect(stat(e, 'walSyncs')).toBe(before + 1); // nothing written since: no fsync
    await e.put(s('b'), s('2'));
    await scheduler.runFor(50);
    await until(() => stat(e, 'walSyncs') > before + 1, 30_000, 'the next timer fsync');
    await e.close();
  });

  it('reports Bloom skips, cache hits and per-level figures', async () => {
    const fs = new MemoryFileSystem();
    const e = await open(fs, smallOptions('leveled', { blockCacheBytes: 1 << 20, residentTableBytes: 0 }));
    for (let i = 0; i < 2000; i += 2) await e.put(key(i), s('value'));
    await e.compactRange();
    for (let i = 1; i < 2000; i += 2) expect(await e.get(key(i))).toBeUndefined();
    for (let i = 0; i < 2000; i += 2) await e.get(key(i));
    for (let i = 0; i < 2000; i += 2) await e.get(key(i));
    expect(stat(e, 'bloomSkips')).toBeGreaterThan(900);
    expect(stat(e, 'bloomFalsePositives')).toBeLessThan(100);
    expect(stat(e, 'blockCacheHits')).toBeGreaterThan(1000);
    expect(stat(e, 'readAmplification')).toBeGreaterThan(0);
    expect(stat(e, 'spaceAmplification')).toBeCloseTo(1, 1);
    for (const v of Object.values(e.stats().counters)) expect(Number.isFinite(v)).toBe(true);
    await e.close();
  });

  it('serves tables whole from memory within residentTableBytes, and returns their bytes when compaction drops them', async () => {
    const fs = new MemoryFileSystem();
    const sizes = (e: LsmStorageEngine): number => stat(e, 'sstBytes');
    // Everything fits: no block goes through the block cache.
    const all = await open(fs, smallOptions('leveled', { blockCacheBytes: 1 << 20, residentTableBytes: 1 << 30 }));
    const model = await fill(all, 3000, 800, 7);
    for (const [k, v] of model) expect(text(await all.get(key(k)))).toBe(v);
    expect(stat(all, 'residentTables')).toBe(stat(all, 'sstFiles'));
    expect(stat(all, 'residentTableBytes')).toBe(sizes(all));
    expect(stat(all, 'blockCacheHits') + stat(all, 'blockCacheMisses')).toBe(0);
    await all.compactRange(); // drops every table read so far
    for (const [k, v] of model) expect(text(await all.get(key(k)))).toBe(v);
    expect(stat(all, 'residentTables')).toBe(stat(all, 'sstFiles'));
    expect(stat(all, 'residentTableBytes')).toBe(sizes(all));
    await all.close();
    // A budget of a few tables: some resident, the rest read through the cache, every read right.
    const some = await open(fs, smallOptions('leveled', { blockCacheBytes: 1 << 20, residentTableBytes: 24 * 1024 }));
    for (const [k, v] of model) expect(text(await some.get(key(k)))).toBe(v);
    expect(stat(some, 'residentTables')).toBeGreaterThan(0);
    expect(stat(some, 'residentTables')).toBeLessThan(stat(some, 'sstFiles'));
    expect(stat(some, 'residentTableBytes')).toBeLessThanOrEqual(24 * 1024);
    expect(stat(some, 'blockCacheMisses')).toBeGreaterThan(0);
    // Compaction replaces the tables: the budget is returned and reused, never exceeded.
    await some.compactRange();
    for (const [k, v] of model) expect(text(await some.get(key(k)))).toBe(v);
    expect(stat(some, 'residentTableBytes')).toBeLessThanOrEqual(24 * 1024);
    expect(stat(some, 'residentTables')).toBeGreaterThan(0);
    await some.close();
  });

  it('the plugin builds an engine under `${dataDir}/engine` from the node’s FileSystem and Clock', async () => {
    const fs = new MemoryFileSystem();
    const container = new Container({ defaultScope: 'Singleton' });
    container.bind(ConfigToken).toConstantValue(parseConfig({ dataDir: '/data' }));
    container.bind(FileSystemToken).toConstantValue(fs);
    container.bind(ClockToken).toConstantValue(clock);
    const logger: Logger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {}, child: () => logger };
    container.bind(LoggerToken).toConstantValue(logger);
    await container.load(lsmEngine({ memtableBytes: 8192 }).module);
    const engine = container.get(StorageEngineToken);
    expect(engine).toBeInstanceOf(LsmStorageEngine);
    await engine.open();
    await engine.put(s('k'), s('v'));
    await engine.close();
    expect(fs.exists('/data/engine/CURRENT')).toBe(true);
  });
});
