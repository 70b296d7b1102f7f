import { describe, expect, it } from '@jest/globals';
import { isDynamisError, SystemClock, type DamagedRange, type StorageEngine } from '@dynamis/core';
import { FaultyFileSystem } from '@dynamis/testkit';
import { LsmStorageEngine, type LsmOptions } from '../src';
import { key, s, smallOptions, stat } from './helpers';

const clock = new SystemClock();
const DIR = '/db';
// No cache and no resident tables: every read goes to the file, so a flipped byte is seen.
const OPTIONS: LsmOptions = smallOptions('leveled', { memtableBytes: 64 * 1024, blockCacheBytes: 0, residentTableBytes: 0 });

const OLD = (i: number): Uint8Array => s(`old-${i}`);
const NEW = (i: number): Uint8Array => s(`new-${i}`);

/**
 * A database with keys 0..59 = old-i in the last level (table A) and, in a
 * newer level-0 table B, keys 10..19 rewritten (new-i) except key 15,
 * deleted: B holds its tombstone, A the older value below it. Then one
 * byte of B's first data block flipped. Returns the file system, B's name
 * and the engine opened on it with a damage listener.
 */
async function damaged(
  options: LsmOptions = OPTIONS,
): Promise<{ fs: FaultyFileSystem; table: string; e: StorageEngine; heard: DamagedRange[] }> {
  const fs = new FaultyFileSystem();
  let e = new LsmStorageEngine(fs, DIR, options, clock);
  await e.open();
  for (let i = 0; i < 60; i++) await e.put(key(i), OLD(i));
  await e.compactRange(); // table A, last level
  for (let i = 10; i < 20; i++) {
    if (i === 15) await e.delete(key(i));
    else await e.put(key(i), NEW(i));
  }
  await e.close();
  e = new LsmStorageEngine(fs, DIR, options, clock);
  await e.open(); // the WAL replays into table B, level 0
  await e.close();
  const tables = fs.list(DIR).filter((n) => n.endsWith('.sst'));
  expect(tables).toHaveLength(2);
  const table = tables[tables.length - 1]!; // the newest number: B
  fs.corrupt(`${DIR}/${table}`, 12); // inside the first data block
  const heard: DamagedRange[] = [];
  e = new LsmStorageEngine(fs, DIR, options, clock);
  e.setDamageListener((d) => heard.push(d));
  await e.open();
  return { fs, table, e, heard };
}

async function error(p: Promise<unknown>): Promise<{ code: string; details: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    if (isDynamisError(err)) return { code: err.code, details: err.details ?? {} };
    throw err;
  }
  throw new Error('expected a rejection');
}

async function scanAll(e: StorageEngine, range = {}): Promise<number> {
  let n = 0;
  for await (const _ of e.iterator(range)) n++;
  return n;
}

/** Waits (event-loop turns, no timer) until `cond` holds. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  expect(cond()).toBe(true);
}

/** What every test checks once the damage was found: fenced, the rest served, the file kept. */
async function expectQuarantined(fs: FaultyFileSystem, table: string, e: StorageEngine, heard: DamagedRange[]): Promise<void> {
  await until(() => heard.length === 1);
  expect(Buffer.from(heard[0]!.gte).toString()).toBe('k000010');
  expect(Buffer.from(heard[0]!.lte).toString()).toBe('k000019');
  expect(heard[0]!.source).toBe(`${DIR}/quarantine/${table}`);
  expect(e.damaged()).toHaveLength(1);
  expect(stat(e, 'quarantinedTables')).toBe(1);
  // The fence: neither the old value below a rewritten key nor the one below the lost tombstone comes back.
  for (const i of [10, 15, 19]) {
    const err = await error(e.get(key(i)));
    expect([err.code, err.details['damaged']]).toEqual(['CORRUPTION', true]);
  }
  expect((await error(scanAll(e))).details['damaged']).toBe(true);
  // The rest is served.
  expect(Buffer.from((await e.get(key(9)))!).toString()).toBe('old-9');
  expect(Buffer.from((await e.get(key(20)))!).toString()).toBe('old-20');
  expect(await scanAll(e, { gte: key(20), lt: key(60) })).toBe(40);
  expect(await scanAll(e, { lt: key(10) })).toBe(10);
  // Writes go on, in the fenced range too.
  await e.put(key(100), s('after'));
  // The file left the version and is kept for inspection (moved once no reader holds it).
  await until(() => fs.exists(`${DIR}/quarantine/${table}`));
  expect(fs.exists(`${DIR}/${table}`)).toBe(false);
}

describe('a damaged table is quarantined and its key range fenced', () => {
  it('found by a get: the get fails, later reads of its range fail, the rest is served; a deleteRange lifts the fence', async () => {
    const { fs, table, e, heard } = await damaged();
    const first = await error(e.get(key(12)));
    expect(first.code).toBe('CORRUPTION');
    expect(first.details['file']).toBe(`${DIR}/${table}`);
    await expectQuarantined(fs, table, e, heard);

    await e.deleteRange(key(10), key(20)); // the owner drops the range (to rebuild it)
    expect(e.damaged()).toEqual([]);
    for (const i of [10, 15, 19]) expect(await e.get(key(i))).toBeUndefined(); // nothing older came back
    await e.put(key(15), s('rebuilt'));
    expect(Buffer.from((await e.get(key(15)))!).toString()).toBe('rebuilt');
    expect(await scanAll(e)).toBe(50 + 1 + 1); // 0..9, 20..59, 15, 100
    await e.close();
    const again = new LsmStorageEngine(fs, DIR, OPTIONS, clock);
    await again.open();
    expect(again.damaged()).toEqual([]);
    expect(await again.get(key(12))).toBeUndefined();
    expect(fs.exists(`${DIR}/quarantine/${table}`)).toBe(true);
    await again.close();
  });

  it('found by an iterator', async () => {
    const { fs, table, e, heard } = await damaged();
    const err = await error(scanAll(e));
    expect([err.code, err.details['file']]).toEqual(['CORRUPTION', `${DIR}/${table}`]);
    await expectQuarantined(fs, table, e, heard);
    await e.close();
  });

  it('found by compactRange: it rejects, the table is quarantined, and compaction and writes go on', async () => {
    const { fs, table, e, heard } = await damaged();
    expect((await error(e.compactRange())).code).toBe('CORRUPTION');
    await expectQuarantined(fs, table, e, heard);
    await e.compactRange();
    expect(Buffer.from((await e.get(key(100)))!).toString()).toBe('after');
    await e.close();
  });

  it('found by a background compaction: quarantined instead of failing every later write', async () => {
    const { fs, table, e, heard } = await damaged(smallOptions('leveled', { blockCacheBytes: 0, residentTableBytes: 0 }));
    // 8 KiB memtables and an L0 trigger of 2: a flush or two brings table B into a compaction.
    for (let i = 1000; heard.length === 0 && i < 3000; i++) await e.put(key(i), s('x'.repeat(100)));
    await expectQuarantined(fs, table, e, heard);
    for (let i = 3000; i < 3200; i++) await e.put(key(i), s('y'.repeat(100))); // writes still work
    expect(Buffer.from((await e.get(key(3199)))!).toString()).toBe('y'.repeat(100));
    await e.close();
  });

  it('the fence survives a restart until the range is deleted', async () => {
    const { fs, table, e, heard } = await damaged();
    await error(e.get(key(12)));
    await until(() => heard.length === 1);
    await e.close();
    const heardAgain: DamagedRange[] = [];
    const again = new LsmStorageEngine(fs, DIR, OPTIONS, clock);
    again.setDamageListener((d) => heardAgain.push(d));
    await again.open();
    expect(again.damaged().map((d) => d.source)).toEqual([`${DIR}/quarantine/${table}`]);
    expect(heardAgain).toEqual([]); // the listener hears of new damage; damaged() lists what is in force
    expect((await error(again.get(key(15)))).details['damaged']).toBe(true);
    expect(fs.exists(`${DIR}/quarantine/${table}`)).toBe(true);
    await again.deleteRange(key(0), key(50)); // a wider deleteRange lifts it too
    expect(again.damaged()).toEqual([]);
    expect(await scanAll(again)).toBe(10);
    await again.close();
  });

  it('a deleteRange that covers only part of the range leaves the fence', async () => {
    const { e } = await damaged();
    await error(e.get(key(12)));
    await until(() => e.damaged().length === 1);
    await e.deleteRange(key(11), key(20));
    expect(e.damaged()).toHaveLength(1);
    expect((await error(e.get(key(15)))).details['damaged']).toBe(true);
    await e.close();
  });
});
