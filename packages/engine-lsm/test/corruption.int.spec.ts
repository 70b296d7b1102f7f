import { describe, expect, it } from '@jest/globals';
import { isDynamisError, SystemClock, type StorageEngine } from '@dynamis/core';
import { FaultyFileSystem, MemoryFileSystem } from '@dynamis/testkit';
import { LsmStorageEngine, type LsmOptions } from '../src';
import { WalReader } from '../src/wal/WalReader';
import { key, smallOptions } from './helpers';

const clock = new SystemClock();
const DIR = '/db';

function valueOf(i: number): Uint8Array {
  return Buffer.from(`value-${i}-`.padEnd(30, '.'));
}

/** A copy of every file of `from` in a fresh file system, with `edit` applied to the file it names. */
function cloneFs(from: MemoryFileSystem, edit?: { file: string; change: (data: Uint8Array) => Uint8Array }): FaultyFileSystem {
  const fs = new FaultyFileSystem();
  fs.mkdirp(DIR);
  for (const name of from.list(DIR)) {
    if (name === 'LOCK') continue;
    let data: Uint8Array = from.readFile(`${DIR}/${name}`).slice();
    if (edit?.file === name) data = edit.change(data);
    const f = fs.create(`${DIR}/${name}`);
    f.append(data);
    void f.close();
  }
  return fs;
}

async function opened(fs: MemoryFileSystem, options: LsmOptions): Promise<StorageEngine> {
  const e = new LsmStorageEngine(fs, DIR, options, clock);
  await e.open();
  return e;
}

describe('a damaged SSTable', () => {
  it.each([
    ['read block by block', 0],
    ['resident in memory', 1 << 20],
  ])(
    'every flipped byte gives CORRUPTION naming the file or the right data, never wrong data (%s)',
    async (_mode, residentTableBytes) => {
      const options = smallOptions('leveled', { memtableBytes: 64 * 1024, blockCacheBytes: 0, residentTableBytes });
      const base = new MemoryFileSystem();
      const e = await opened(base, options);
      for (let i = 0; i < 60; i++) await e.put(key(i), valueOf(i));
      await e.compactRange(); // one table in the last level
      await e.close();
      const table = base.list(DIR).find((n) => n.endsWith('.sst'))!;
      const size = base.size(`${DIR}/${table}`);
      let corruptions = 0;
      for (let offset = 0; offset < size; offset += 5) {
        const fs = cloneFs(base, { file: table, change: (d) => ((d[offset]! ^= 0x10), d) });
        const db = await opened(fs, options);
        const found: string[] = [];
        for (let i = 0; i < 60; i++) {
          try {
            const got = await db.get(key(i));
            if (got !== undefined) expect(Buffer.from(got)).toEqual(Buffer.from(valueOf(i)));
            else found.push(`missing ${i}`);
          } catch (err) {
            expect(isDynamisError(err, 'CORRUPTION')).toBe(true);
            // The read that finds the damage names the table; once it is quarantined, reads in its range are fenced.
            expect([`${DIR}/${table}`, `${DIR}/quarantine/${table}`]).toContain(
              (err as unknown as { details: { file: string } }).details.file,
            );
            corruptions++;
          }
        }
        try {
          let i = 0;
          for await (const [k, v] of db.iterator()) {
            expect(Buffer.from(k)).toEqual(Buffer.from(key(i)));
            expect(Buffer.from(v)).toEqual(Buffer.from(valueOf(i)));
            i++;
          }
          expect(i).toBe(60);
        } catch (err) {
          if (!isDynamisError(err, 'CORRUPTION')) throw err;
          expect([`${DIR}/${table}`, `${DIR}/quarantine/${table}`]).toContain(err.details?.['file']);
        }
        // A key may read as missing only when its block is fine but the Bloom filter... never: the filter is checksummed too.
        expect(found).toEqual([]);
        await db.close();
      }
      expect(corruptions).toBeGreaterThan(0);
      // The reads above went through the mode under test.
      const check = await opened(cloneFs(base), options);
      await check.get(key(0));
      expect(check.stats().counters.residentTables).toBe(residentTableBytes > 0 ? 1 : 0);
      await check.close();
    },
    60_000,
  );
});

describe('a damaged WAL at open', () => {
  const options = (walRecovery: LsmOptions['walRecovery']): LsmOptions => smallOptions('leveled', { memtableBytes: 1 << 20, walRecovery });

  /** A database whose 40 puts are only in its WAL; returns it and the end offset of every record. */
  async function walOnly(): Promise<{ fs: MemoryFileSystem; wal: string; ends: number[] }> {
    const fs = new MemoryFileSystem();
    const e = await opened(fs, options('tolerate-corrupted-tail'));
    for (let i = 0; i < 40; i++) await e.put(key(i), valueOf(i));
    await e.close();
    const wal = fs.list(DIR).find((n) => n.endsWith('.log'))!;
    const reader = WalReader.open(fs, `${DIR}/${wal}`);
    const ends: number[] = [];
    while (reader.next() !== undefined) ends.push(reader.validBytes);
    expect(ends).toHaveLength(40);
    return { fs, wal, ends };
  }

  async function keys(e: StorageEngine): Promise<number> {
    let n = 0;
    for (let i = 0; i < 40; i++) if ((await e.get(key(i))) !== undefined) n++;
    return n;
  }

  it('truncated at every byte of its last record: the default mode keeps every complete record and reports the rest', async () => {
    const { fs: base, wal, ends } = await walOnly();
    for (let cut = ends[38]!; cut < ends[39]!; cut++) {
      const fs = cloneFs(base, { file: wal, change: (d) => d.subarray(0, cut) });
      const e = await opened(fs, options('tolerate-corrupted-tail'));
      expect(await keys(e)).toBe(39);
      expect(e.stats().counters.droppedWalBytes).toBe(cut - ends[38]!);
      await e.close();
      // The truncation is now durable: the next open sees the same.
      const again = await opened(fs, options('tolerate-corrupted-tail'));
      expect(await keys(again)).toBe(39);
      await again.close();
    }
  });

  it('a flipped byte mid-WAL: point-in-time keeps exactly the prefix, absolute consistency and the default refuse', async () => {
    const { fs: base, wal, ends } = await walOnly();
    const at = ends[19]! + 3; // inside record 21 (index 20)
    const damaged = (): FaultyFileSystem => cloneFs(base, { file: wal, change: (d) => ((d[at]! ^= 0xff), d) });
    const pit = await opened(damaged(), options('point-in-time'));
    expect(await keys(pit)).toBe(20);
    for (let i = 0; i < 20; i++) expect(await pit.get(key(i))).toEqual(valueOf(i));
    expect(pit.stats().counters.droppedWalBytes).toBe(ends[39]! - ends[19]!);
    await pit.close();
    for (const mode of ['absolute-consistency', 'tolerate-corrupted-tail'] as const) {
      const fs = damaged();
      const e = new LsmStorageEngine(fs, DIR, options(mode), clock);
      await expect(e.open()).rejects.toMatchObject({ code: 'CORRUPTION', details: { file: `${DIR}/${wal}` } });
      await expect(e.get(key(0))).rejects.toMatchObject({ code: 'NOT_OPEN' });
      // Refusing to open changed nothing: the WAL is still there for a more tolerant mode.
      expect(fs.exists(`${DIR}/${wal}`)).toBe(true);
      const tolerant = await opened(fs, options('point-in-time'));
      expect(await keys(tolerant)).toBe(20);
      await tolerant.close();
    }
  });

  it('absolute consistency refuses even a torn tail, naming file and offset', async () => {
    const { fs: base, wal, ends } = await walOnly();
    const fs = cloneFs(base, { file: wal, change: (d) => d.subarray(0, ends[39]! - 2) });
    const e = new LsmStorageEngine(fs, DIR, options('absolute-consistency'), clock);
    await expect(e.open()).rejects.toMatchObject({ code: 'CORRUPTION', details: { file: `${DIR}/${wal}`, offset: ends[38] } });
  });
});

describe('a damaged manifest', () => {
  it('CURRENT naming a missing manifest, or a table the manifest lists going missing, refuse to open', async () => {
    const base = new MemoryFileSystem();
    const e = await opened(base, smallOptions('leveled'));
    for (let i = 0; i < 300; i++) await e.put(key(i), valueOf(i));
    await e.compactRange();
    await e.close();
    const table = base.list(DIR).find((n) => n.endsWith('.sst'))!;
    const noTable = cloneFs(base);
    noTable.remove(`${DIR}/${table}`);
    await expect(opened(noTable, smallOptions('leveled'))).rejects.toMatchObject({
      code: 'CORRUPTION',
      details: { file: `${DIR}/${table}` },
    });
    const manifest = base.list(DIR).find((n) => n.startsWith('MANIFEST-'))!;
    const noManifest = cloneFs(base);
    noManifest.remove(`${DIR}/${manifest}`);
    await expect(opened(noManifest, smallOptions('leveled'))).rejects.toMatchObject({ code: 'CORRUPTION' });
    const flipped = cloneFs(base, { file: manifest, change: (d) => ((d[10]! ^= 0x01), d) });
    await expect(opened(flipped, smallOptions('leveled'))).rejects.toMatchObject({ code: 'CORRUPTION' });
  });
});
