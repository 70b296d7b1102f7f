import { describe, expect, it } from '@jest/globals';
import { bestRate, randomKeys } from '../../test/support/throughput';
import { Memtable } from './Memtable';

describe('Memtable throughput (opt-in: npm run test:slow)', () => {
  it('prints inserts/s and gets/s for 30k / 300k / 1M random 16-byte keys, 100-byte values', () => {
    const value = new Uint8Array(100);
    for (const n of [30_000, 300_000, 1_000_000]) {
      const keys = randomKeys(n, 16);
      let m = new Memtable();
      const inserts = bestRate(3, n, () => {
        m = new Memtable();
        for (let i = 0; i < n; i++) m.add(i, 1, keys[i]!, value);
      });
      const gets = bestRate(3, n, () => {
        for (let i = 0; i < n; i++) m.get(keys[i]!);
      });
      process.stdout.write(`memtable n=${n}: ${inserts} inserts/s, ${gets} gets/s\n`);
      expect(m.count).toBe(n);
    }
  });
});
