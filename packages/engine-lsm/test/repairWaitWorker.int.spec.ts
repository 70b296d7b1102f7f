import { describe, expect, it } from '@jest/globals';
import { asVersion, dataKey, encodeRecord, partitionOfKey, recordCompactionFilter, SystemClock } from '@dynamis/core';
import { diskOptions, openDisk, withDir } from './bgHelpers';
import { stat } from './helpers';

/*
 * Core's recordCompactionFilter with a wait for repair (RepairWait) on the
 * background thread: the per-partition horizons travel in the portable
 * filter's args, so the worker keeps the tombstones of partitions not yet
 * repaired and purges the others, like the inline filter would.
 */
describe('engine-lsm worker: tombstone GC waiting for repair', () => {
  it('purges only tombstones of repaired partitions (horizons in the portable args), and all past maxGraceMs', () =>
    withDir(async (dir) => {
      const clock = new SystemClock();
      const e = await openDisk(dir, diskOptions('leveled'));
      try {
        const q = 256;
        const past = clock.now() - 60_000;
        // Even partitions repaired through `past`; odd ones never.
        const horizons = Array.from({ length: q }, (_, p) => (p % 2 === 0 ? past : -Infinity));
        e.setCompactionFilter(recordCompactionFilter(() => clock.now(), 0, { horizons: () => horizons, maxGraceMs: 3_600_000 }));
        const tombstone = encodeRecord([{ version: asVersion(Uint8Array.of(1)), value: null, writtenAt: past }]);
        const keys = Array.from({ length: 3000 }, (_, i) => `t${i}`);
        for (const k of keys) await e.put(dataKey(partitionOfKey(k, q), k), tombstone);
        await e.compactRange();
        expect(stat(e, 'workerCompactions')).toBeGreaterThan(0);
        expect(stat(e, 'workerCompactions')).toBe(stat(e, 'compactions'));
        let kept = 0;
        for (const k of keys) {
          const p = partitionOfKey(k, q);
          const got = await e.get(dataKey(p, k));
          if (p % 2 === 0) expect(got).toBeUndefined();
          else {
            expect(got).toBeDefined();
            kept++;
          }
        }
        expect(kept).toBeGreaterThan(1000);

        // The fallback: older than maxGraceMs, purged whatever the horizon.
        e.setCompactionFilter(recordCompactionFilter(() => clock.now(), 0, { horizons: () => horizons, maxGraceMs: 30_000 }));
        const before = stat(e, 'workerCompactions');
        await e.compactRange();
        expect(stat(e, 'workerCompactions')).toBeGreaterThan(before);
        for (const k of keys) expect(await e.get(dataKey(partitionOfKey(k, q), k))).toBeUndefined();
      } finally {
        await e.close();
      }
    }));
});
