import { describe, expect, it } from '@jest/globals';
import { FaultyFileSystem } from '@dynamis/testkit';
import { HOLDINGS_FILE, loadHoldings, saveHoldings } from './holdingsFile';

const DIR = '/data/rebalance';
const PATH = `${DIR}/${HOLDINGS_FILE}`;
/** A placement hash (sha1 hex, as the ring's). */
const HASH = '0123456789abcdef0123456789abcdef01234567';

async function write(fs: FaultyFileSystem, text: string): Promise<void> {
  fs.mkdirp(DIR);
  const f = fs.create(PATH);
  f.append(new TextEncoder().encode(text));
  await f.sync();
  await f.close();
}

describe('holdings file', () => {
  it('is absent before the first save, then returns exactly the saved set, also after a power loss', async () => {
    const fs = new FaultyFileSystem();
    expect(loadHoldings(fs, DIR, 'n1', 64)).toBeUndefined();
    await saveHoldings(fs, DIR, 'n1', 64, new Set([0, 7, 8, 63]), HASH);
    fs.crash();
    const loaded = loadHoldings(fs, DIR, 'n1', 64)!;
    expect([...loaded.own].sort((a, b) => a - b)).toEqual([0, 7, 8, 63]);
    expect(loaded.settledHash).toBe(HASH);
    await saveHoldings(fs, DIR, 'n1', 64, new Set(), undefined);
    expect(loadHoldings(fs, DIR, 'n1', 64)).toEqual({ own: new Set(), settledHash: undefined });
    expect(new TextDecoder().decode(fs.readFile(PATH))).toMatch(/^dynamis-rebalance-holdings 2 n1 64 - [0-9a-f]{8}\n0{16}\n$/);
  });

  it('still loads a version 1 file (no settled hash)', async () => {
    const fs = new FaultyFileSystem();
    // Written by the version 1 code: holds 1 and 9 of 16 (bitmap 0202), crc32 of those two bytes.
    await write(fs, 'dynamis-rebalance-holdings 1 n1 16 9de11151\n0202\n');
    expect(loadHoldings(fs, DIR, 'n1', 16)).toEqual({ own: new Set([1, 9]), settledHash: undefined });
  });

  it('refuses to store a settled hash that is not 1-128 hex digits (INVALID_ARGUMENT), writing nothing', async () => {
    const fs = new FaultyFileSystem();
    for (const bad of ['', 'ABC', 'a b', 'a'.repeat(129), 'a\n0']) {
      await expect(saveHoldings(fs, DIR, 'n1', 16, new Set([1]), bad)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    }
    expect(loadHoldings(fs, DIR, 'n1', 16)).toBeUndefined();
    await saveHoldings(fs, DIR, 'n1', 16, new Set([1]), 'f'.repeat(128));
    expect(loadHoldings(fs, DIR, 'n1', 16)?.settledHash).toBe('f'.repeat(128));
  });

  it('a save that fails before its rename leaves the previous set, never a torn file', async () => {
    const fs = new FaultyFileSystem();
    await saveHoldings(fs, DIR, 'n1', 16, new Set([1, 2]), HASH);
    fs.failNext('rename');
    await expect(saveHoldings(fs, DIR, 'n1', 16, new Set([3]), undefined)).rejects.toMatchObject({ code: 'IO_ERROR' });
    fs.crash();
    expect(loadHoldings(fs, DIR, 'n1', 16)).toEqual({ own: new Set([1, 2]), settledHash: HASH });
  });

  it('refuses a torn or altered file (CORRUPTION) and another node’s or another Q’s (INCOMPATIBLE_DATA)', async () => {
    const good = `dynamis-rebalance-holdings 2 n1 16 ${HASH} `;
    const fs0 = new FaultyFileSystem();
    await saveHoldings(fs0, DIR, 'n1', 16, new Set([1, 9]), HASH);
    const text = new TextDecoder().decode(fs0.readFile(PATH));
    expect(text.startsWith(good)).toBe(true);
    const [header, hex] = text.split('\n') as [string, string];
    const flipped = hex.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    for (const [bad, code] of [
      [text.slice(0, -1), 'CORRUPTION'], // torn: no final newline
      [`${header}\n${flipped}\n`, 'CORRUPTION'], // a bit changed: checksum
      [`${header}\n${hex}0\n`, 'CORRUPTION'], // odd hex
      [text.replace(' 2 n1', ' 3 n1'), 'CORRUPTION'], // unknown version
      [text.replace(' 2 n1', ' 1 n1'), 'CORRUPTION'], // a version 2 body under a version 1 header
      [
        text.replace(
          HASH,
          HASH.replace(/^./, (c) => (c === '0' ? '1' : '0')),
        ),
        'CORRUPTION',
      ], // the hash changed: checksum
      [text.replace(HASH, '-'), 'CORRUPTION'], // the hash removed: checksum
      [text.replace(HASH, 'XYZ'), 'CORRUPTION'], // not hex
      [text.replace(HASH, 'a'.repeat(129)), 'CORRUPTION'], // too long
      [`${text}${' '.repeat(20_000)}`, 'CORRUPTION'], // longer than any bitmap
      [text.replace(' n1 ', ' n2 '), 'INCOMPATIBLE_DATA'],
    ] as const) {
      const fs = new FaultyFileSystem();
      await write(fs, bad);
      await expect(Promise.resolve().then(() => loadHoldings(fs, DIR, 'n1', 16))).rejects.toMatchObject({ code });
    }
    await expect(Promise.resolve().then(() => loadHoldings(fs0, DIR, 'n1', 32))).rejects.toMatchObject({ code: 'INCOMPATIBLE_DATA' });
    expect(loadHoldings(fs0, DIR, 'n1', 16)).toEqual({ own: new Set([1, 9]), settledHash: HASH });
  });
});
