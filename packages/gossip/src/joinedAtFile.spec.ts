import { describe, expect, it } from '@jest/globals';
import { FaultyFileSystem } from '@dynamis/testkit';
import { JOINED_AT_FILE, loadJoinedAt } from './joinedAtFile';

const DIR = '/data/gossip';
const PATH = `${DIR}/${JOINED_AT_FILE}`;

describe('loadJoinedAt', () => {
  it('stores now on the first call and returns the stored value ever after, also after a power loss', async () => {
    const fs = new FaultyFileSystem();
    expect(await loadJoinedAt(fs, DIR, 'n1', 1234.7)).toBe(1234);
    fs.crash();
    expect(await loadJoinedAt(fs, DIR, 'n1', 99_999)).toBe(1234);
    expect(new TextDecoder().decode(fs.readFile(PATH))).toBe('dynamis-gossip-joined-at 1 n1 1234\n');
  });

  it('a crash before the rename leaves no file (the next start stamps anew), never a torn one', async () => {
    const fs = new FaultyFileSystem();
    fs.failNext('rename');
    await expect(loadJoinedAt(fs, DIR, 'n1', 10)).rejects.toMatchObject({ code: 'IO_ERROR' });
    fs.crash();
    expect(fs.exists(PATH)).toBe(false);
    expect(await loadJoinedAt(fs, DIR, 'n1', 20)).toBe(20);
  });

  it('refuses a file that is not one joined-at line (CORRUPTION) or that names another node (INCOMPATIBLE_DATA)', async () => {
    for (const [text, code] of [
      ['dynamis-gossip-joined-at 1 n1 12', 'CORRUPTION'], // no newline
      ['dynamis-gossip-joined-at 2 n1 12\n', 'CORRUPTION'],
      ['dynamis-gossip-joined-at 1 n1 99999999999999999\n', 'CORRUPTION'],
      [`dynamis-gossip-joined-at 1 n1 12\n${' '.repeat(200)}`, 'CORRUPTION'],
      ['dynamis-gossip-joined-at 1 n2 12\n', 'INCOMPATIBLE_DATA'],
    ] as const) {
      const fs = new FaultyFileSystem();
      fs.mkdirp(DIR);
      const f = fs.create(PATH);
      f.append(new TextEncoder().encode(text));
      await f.sync();
      await f.close();
      await expect(loadJoinedAt(fs, DIR, 'n1', 5)).rejects.toMatchObject({ code });
    }
  });
});
