import { describe, expect, it } from '@jest/globals';
import { withDir } from './bgHelpers';
import { runChild } from './runChild';

describe('engine-lsm background thread in a real process', () => {
  it('close() resolves with only the thread left to wait for, and the process then exits by itself', async () => {
    await withDir(async (dir) => {
      const { code, out, err } = await runChild('closeExit.ts', [dir]);
      expect(err).toBe('');
      expect(code).toBe(0);
      const [word, compactions] = out.trim().split(' ');
      expect(word).toBe('closed');
      expect(Number(compactions)).toBeGreaterThan(0);
    });
  }, 90_000);
});
