import { describe, expect, it } from '@jest/globals';
import { FaultyFileSystem } from '@dynamis/testkit';
import { HOLDINGS_FILE, loadHoldings, saveHoldings } from './holdingsFile';

const DIR = '/data/rebalance';
const PATH = `${DIR}/${HOLDINGS_FILE}`;

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
    await saveHoldings(fs, DIR, 'n1', 64, new Set([0, 7, 8, 63]));
    fs.crash();
    expect([...loadHoldings(fs, DIR, 'n1', 64)!].sort((a, b) => a - b)).toEqual([0, 7, 8, 63]);
    await saveHoldings(fs, DIR, 'n1', 64, new Set());
    expect(loadHoldings(fs, DIR, 'n1', 64)!.size).toBe(0);
  });

  it('a save that fails before its rename leaves the previous set, never a torn file', async () => {
    const fs = new FaultyFileSystem();
    await saveHoldings(fs, DIR, 'n1', 16, new Set([1, 2]));
    fs.failNext('rename');
    await expect(saveHoldings(fs, DIR, 'n1', 16, new Set([3]))).rejects.toMatchObject({ code: 'IO_ERROR' });
    fs.crash();
    expect([...loadHoldings(fs, DIR, 'n1', 16)!]).toEqual([1, 2]);
  });

  it('refuses a torn or altered file (CORRUPTION) and another node’s or another Q’s (INCOMPATIBLE_DATA)', async () => {
    const good = 'dynamis-rebalance-holdings 1 n1 16 ';
    const fs0 = new FaultyFileSystem();
    await saveHoldings(fs0, DIR, 'n1', 16, new Set([1, 9]));
    const text = new TextDecoder().decode(fs0.readFile(PATH));
    expect(text.startsWith(good)).toBe(true);
    const [header, hex] = text.split('\n') as [string, string];
    const flipped = hex.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    for (const [bad, code] of [
      [text.slice(0, -1), 'CORRUPTION'], // torn: no final newline
      [`${header}\n${flipped}\n`, 'CORRUPTION'], // a bit changed: checksum
      [`${header}\n${hex}0\n`, 'CORRUPTION'], // odd hex
      [text.replace(' 1 n1', ' 2 n1'), 'CORRUPTION'], // unknown version
      [`${text}${' '.repeat(20_000)}`, 'CORRUPTION'], // longer than any bitmap
      [text.replace(' n1 ', ' n2 '), 'INCOMPATIBLE_DATA'],
    ] as const) {
      const fs = new FaultyFileSystem();
      await write(fs, bad);
      await expect(Promise.resolve().then(() => loadHoldings(fs, DIR, 'n1', 16))).rejects.toMatchObject({ code });
    }
    await expect(Promise.resolve().then(() => loadHoldings(fs0, DIR, 'n1', 32))).rejects.toMatchObject({ code: 'INCOMPATIBLE_DATA' });
    expect([...loadHoldings(fs0, DIR, 'n1', 16)!]).toEqual([1, 9]);
  });
});
