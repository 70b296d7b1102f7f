import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { MemoryStorageEngine } from '@dynamis/engine-memory';
import { asVersion, type Sibling, dataKey, encodeRecord, readScanPage, REPLICA_SCAN_MAX_VISITED, scanEntryBytes } from '@dynamis/core';

const NOW = 10_000;
const live = (v: string, version = 1): Sibling => ({ version: asVersion(Uint8Array.of(version)), value: Buffer.from(v), writtenAt: 1 });
const tomb = (version = 2): Sibling => ({ version: asVersion(Uint8Array.of(version)), value: null, writtenAt: 2 });
const expired = (v: string): Sibling => ({ version: asVersion(Uint8Array.of(3)), value: Buffer.from(v), writtenAt: 1, expiresAt: NOW });

let engine: MemoryStorageEngine;
beforeEach(async () => {
  engine = new MemoryStorageEngine();
  await engine.open();
});
afterEach(async () => engine.close());

async function put(partition: number, key: string, ...siblings: Sibling[]): Promise<void> {
  await engine.put(dataKey(partition, key), encodeRecord(siblings));
}

const keys = (page: { entries: { key: string }[] }): string[] => page.entries.map((e) => e.key);

describe('readScanPage (one replica page of a cluster scan)', () => {
  it('pages through a partition by limit, resuming after the last key, and never strays into another partition', async () => {
    for (const k of ['a', 'b', 'c', 'd', 'e']) await put(3, k, live(k));
    await put(2, 'z', live('z'));
    await put(4, '0', live('0'));
    const first = await readScanPage(engine, 3, { limit: 2, maxBytes: 1 << 20 }, NOW);
    expect(keys(first)).toEqual(['a', 'b']);
    expect(first.next).toBe('b');
    const second = await readScanPage(engine, 3, { after: 'b', limit: 2, maxBytes: 1 << 20 }, NOW);
    expect(keys(second)).toEqual(['c', 'd']);
    const last = await readScanPage(engine, 3, { after: 'd', limit: 2, maxBytes: 1 << 20 }, NOW);
    expect(keys(last)).toEqual(['e']);
    expect(last.next).toBeNull();
    expect(await readScanPage(engine, 5, { limit: 10, maxBytes: 1 << 20 }, NOW)).toEqual({ entries: [], next: null });
  });

  it('stops at the byte cap, always including the first entry, and resumes where it stopped', async () => {
    await put(0, 'k1', live('x'.repeat(100)));
    await put(0, 'k2', live('y'.repeat(100)));
    await put(0, 'k3', live('z'));
    const size = scanEntryBytes('k1', [live('x'.repeat(100))]);
    const tiny = await readScanPage(engine, 0, { limit: 10, maxBytes: 1 }, NOW);
    expect(keys(tiny)).toEqual(['k1']);
    expect(tiny.next).toBe('k1');
    const two = await readScanPage(engine, 0, { limit: 10, maxBytes: 2 * size }, NOW);
    expect(keys(two)).toEqual(['k1', 'k2']);
    expect(two.next).toBe('k2');
    expect(keys(await readScanPage(engine, 0, { after: 'k2', limit: 10, maxBytes: 1 }, NOW))).toEqual(['k3']);
  });

  it('keeps to the prefix, also when resuming after a key', async () => {
    for (const k of ['a', 'ab1', 'ab2', 'ab3', 'ac', 'b']) await put(1, k, live(k));
    expect(keys(await readScanPage(engine, 1, { prefix: 'ab', limit: 10, maxBytes: 1 << 20 }, NOW))).toEqual(['ab1', 'ab2', 'ab3']);
    const resumed = await readScanPage(engine, 1, { prefix: 'ab', after: 'ab1', limit: 10, maxBytes: 1 << 20 }, NOW);
    expect(keys(resumed)).toEqual(['ab2', 'ab3']);
    expect(resumed.next).toBeNull();
    // an `after` below the prefix starts at the prefix; one above it finds nothing
    expect(keys(await readScanPage(engine, 1, { prefix: 'ab', after: 'a', limit: 10, maxBytes: 1 << 20 }, NOW))).toEqual([
      'ab1',
      'ab2',
      'ab3',
    ]);
    expect(await readScanPage(engine, 1, { prefix: 'ab', after: 'b', limit: 10, maxBytes: 1 << 20 }, NOW)).toEqual({
      entries: [],
      next: null,
    });
  });

  it('skips records holding only tombstones or expired values; a live record comes with all its siblings', async () => {
    await put(0, 'dead', tomb());
    await put(0, 'expired', expired('old'));
    await put(0, 'mixed', expired('old'), live('new', 4));
    await put(0, 'siblings', live('one', 5), live('two', 6), tomb(7));
    const page = await readScanPage(engine, 0, { limit: 10, maxBytes: 1 << 20 }, NOW);
    expect(keys(page)).toEqual(['mixed', 'siblings']);
    const values = page.entries.map((e) => e.siblings.map((s) => (s.value === null ? null : Buffer.from(s.value).toString())));
    expect(values).toEqual([
      ['old', 'new'],
      ['one', 'two', null],
    ]);
    // not expired yet a millisecond earlier
    expect(keys(await readScanPage(engine, 0, { limit: 10, maxBytes: 1 << 20 }, NOW - 1))).toEqual(['expired', 'mixed', 'siblings']);
  });

  it('visits at most REPLICA_SCAN_MAX_VISITED records per page: a long run of dead records ends the page early with a position', async () => {
    const dead = REPLICA_SCAN_MAX_VISITED + 10;
    for (let i = 0; i < dead; i++) await put(0, `d${String(i).padStart(6, '0')}`, tomb());
    await put(0, 'z', live('z'));
    const first = await readScanPage(engine, 0, { limit: 10, maxBytes: 1 << 20 }, NOW);
    expect(first.entries).toEqual([]);
    expect(first.next).toBe(`d${String(REPLICA_SCAN_MAX_VISITED - 1).padStart(6, '0')}`);
    const second = await readScanPage(engine, 0, { after: first.next!, limit: 10, maxBytes: 1 << 20 }, NOW);
    expect(keys(second)).toEqual(['z']);
    expect(second.next).toBeNull();
  });

  it('refuses a limit or byte budget out of range (INVALID_ARGUMENT)', async () => {
    await expect(readScanPage(engine, 0, { limit: 0, maxBytes: 10 }, NOW)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(readScanPage(engine, 0, { limit: 1001, maxBytes: 10 }, NOW)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(readScanPage(engine, 0, { limit: 1, maxBytes: 0 }, NOW)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
