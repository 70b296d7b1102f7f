import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { utf8, type StorageEngine } from '@dynamis/core';
import { storageEngineContract, storageEngineModelTest } from '@dynamis/testkit';
import { LevelStorageEngine } from './LevelStorageEngine';
import { levelEngine } from './plugin';

const root = mkdtempSync(join(tmpdir(), 'dynamis-leveldb-'));
let made = 0;
const freshDir = (): string => join(root, `db${++made}`);
const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString());

const factory = {
  create: () => new LevelStorageEngine(freshDir()),
  reopen: (closed: StorageEngine) => new LevelStorageEngine((closed as LevelStorageEngine).dir),
  destroy: (engine: StorageEngine) => rmSync((engine as LevelStorageEngine).dir, { recursive: true, force: true }),
};

// The whole StorageEngine contract of @dynamis/testkit, with one call.
storageEngineContract('LevelStorageEngine (classic-level)', factory);
// And random operation sequences (reopen and compaction included) against a Map.
storageEngineModelTest('LevelStorageEngine (classic-level)', factory, { numRuns: 60 });

describe('LevelStorageEngine, beyond the contract', () => {
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('a new instance over the same directory finds every write, including ones merged into one group commit', async () => {
    const dir = freshDir();
    const first = new LevelStorageEngine(dir);
    await first.open();
    const writes = Array.from({ length: 200 }, (_, i) => first.put(utf8(`k${String(i).padStart(3, '0')}`), utf8(`v${i}`)));
    writes.push(first.delete(utf8('k007')));
    await Promise.all(writes);
    const batches = first.stats().counters.writes!;
    expect(batches).toBeGreaterThan(0);
    expect(batches).toBeLessThan(201); // concurrent writes were grouped, in call order
    await first.close();
    const second = new LevelStorageEngine(dir);
    await second.open();
    expect(text(await second.get(utf8('k199')))).toBe('v199');
    expect(await second.get(utf8('k007'))).toBeUndefined();
    let count = 0;
    for await (const _entry of second.iterator()) count++;
    expect(count).toBe(199);
    await second.close();
  });

  it('a directory held by another open instance gives UNAVAILABLE (locked), and the holder keeps working', async () => {
    const dir = freshDir();
    const holder = new LevelStorageEngine(dir);
    await holder.open();
    await holder.put(utf8('a'), utf8('1'));
    const intruder = new LevelStorageEngine(dir);
    await expect(intruder.open()).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'locked', path: dir } });
    await expect(intruder.get(utf8('a'))).rejects.toMatchObject({ code: 'NOT_OPEN' });
    expect(text(await holder.get(utf8('a')))).toBe('1');
    await holder.close();
    await intruder.open(); // free now
    expect(text(await intruder.get(utf8('a')))).toBe('1');
    await intruder.close();
  });

  it('a corrupt directory gives CORRUPTION at open, never silently empty data', async () => {
    const dir = freshDir();
    const e = new LevelStorageEngine(dir);
    await e.open();
    await e.put(utf8('a'), utf8('1'));
    await e.close();
    const manifest = readdirSync(dir).find((f) => f.startsWith('MANIFEST-'))!;
    writeFileSync(join(dir, 'CURRENT'), `${manifest}`); // no trailing newline: LevelDB calls this corruption
    const broken = new LevelStorageEngine(dir);
    await expect(broken.open()).rejects.toMatchObject({ code: 'CORRUPTION', details: { where: 'leveldb', file: dir } });
    writeFileSync(join(dir, 'CURRENT'), `${manifest}\n`);
    await broken.open();
    expect(text(await broken.get(utf8('a')))).toBe('1');
    await broken.close();
  });

  it('a compaction filter applies and reports its purges in bounded chunks: a later failure keeps the chunks before it', async () => {
    const e = new LevelStorageEngine(freshDir(), { writeBufferSize: 64 * 1024 });
    await e.open();
    const key = (i: number): Uint8Array => utf8(`r${String(i).padStart(5, '0')}`);
    for (let i = 0; i < 2500; i += 500) {
      await e.write(Array.from({ length: 500 }, (_, j) => ({ type: 'put' as const, key: key(i + j), value: utf8('x') })));
    }
    const purged: number[] = [];
    e.setPurgeListener((r) => purged.push(r.keys.length));
    e.setCompactionFilter((k) => {
      if (Buffer.from(k).equals(key(1500))) throw new Error('filter bug at r01500');
      return { action: 'remove' };
    });
    await expect(e.compactRange()).rejects.toThrow('filter bug at r01500');
    expect(purged).toEqual([1024]); // the first chunk was applied and reported; the one that failed was dropped
    expect(await e.get(key(1023))).toBeUndefined();
    expect(text(await e.get(key(1024)))).toBe('x');
    expect(text(await e.get(key(2499)))).toBe('x');
    e.setCompactionFilter((k) => (k[k.length - 1]! % 2 === 0 ? { action: 'remove' } : { action: 'replace', value: utf8('odd') }));
    await e.compactRange();
    expect(purged.slice(1)).toEqual([1024, 452]);
    expect(e.stats().counters).toMatchObject({ filterRemoved: 1024 + 738, filterReplaced: 738 });
    expect(await e.get(key(1030))).toBeUndefined();
    expect(text(await e.get(key(1031)))).toBe('odd');
    await e.close();
  });

  it('refuses unknown or bad options with INVALID_CONFIG naming them', () => {
    expect(() => new LevelStorageEngine(freshDir(), { cacheSize: -1 })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => levelEngine({ fsync: 'always' } as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG', details: { problems: [expect.objectContaining({ path: 'fsync' })] } }),
    );
    expect(levelEngine({ dir: freshDir() })).toMatchObject({ name: 'dynamis-engine-leveldb', provides: ['StorageEngine'] });
  });
});
