import { describe, expect, it } from '@jest/globals';
import { MemoryFileSystem } from '@dynamis/testkit';
import { bestRate, randomKeys } from '../../test/support/throughput';
import { TableReader } from './TableReader';
import { buildTable, newCache, sortEntries } from '../../test/support/tableTestUtil';

describe('SSTable throughput (opt-in: npm run test:slow)', () => {
  it('prints build entries/s, cached get/s, missing get/s and scan entries/s (100k keys)', async () => {
    const n = 100_000;
    const keys = randomKeys(n, 16, 99);
    const sorted = sortEntries(keys.map((key, i) => ({ key, seq: i, kind: 1, value: new Uint8Array(100).fill(i & 0xff) })));
    const fs = new MemoryFileSystem();
    const t0 = process.hrtime.bigint();
    await buildTable(fs, 'perf.sst', sorted);
    const build = Math.round(n / (Number(process.hrtime.bigint() - t0) / 1e9));
    const cache = newCache();
    const t = TableReader.open(fs, 'perf.sst', 1, cache);
    for (const k of keys) t.get(k); // warm the cache
    let found = 0;
    const gets = bestRate(3, n, () => {
      for (const k of keys) if (t.get(k) !== undefined) found++;
    });
    const missing = randomKeys(n, 16, 7);
    const misses = bestRate(3, n, () => {
      for (const k of missing) t.get(k);
    });
    const it = t.iterator();
    const scan = bestRate(3, n, () => {
      for (it.seekToFirst(); it.valid; it.next());
    });
    process.stdout.write(
      `sstable 100k: build ${build} entries/s; get (cached) ${gets}/s; get (missing) ${misses}/s; scan ${scan} entries/s; ` +
        `bloom skips ${t.bloomSkips}, false positives ${t.bloomFalsePositives}\n`,
    );
    expect(found).toBe(3 * n);
    t.close();
  });
});
