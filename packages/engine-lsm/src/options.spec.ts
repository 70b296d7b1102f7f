import { describe, expect, it } from '@jest/globals';
import { MemoryFileSystem } from '@dynamis/testkit';
import { SystemClock } from '@dynamis/core';
import { LsmStorageEngine } from './db/LsmStorageEngine';
import { lsmOptionsSchema, parseLsmOptions } from './options';
import { lsmEngine } from './plugin';

describe('options', () => {
  it('fills in the documented defaults', () => {
    expect(parseLsmOptions({})).toEqual({
      memtableBytes: 4 * 1024 * 1024,
      maxImmutableMemtables: 2,
      blockBytes: 4096,
      bloomBitsPerKey: 10,
      blockCacheBytes: 8 * 1024 * 1024,
      residentTableBytes: 256 * 1024 * 1024,
      fsync: 'interval',
      fsyncIntervalMs: 100,
      walRecovery: 'tolerate-corrupted-tail',
      compaction: {
        strategy: 'leveled',
        l0CompactionTrigger: 4,
        l0SlowdownTrigger: 8,
        l0StopTrigger: 12,
        levelSizeRatio: 10,
        baseLevelBytes: 10 * 1024 * 1024,
        maxLevels: 7,
        targetFileBytes: 2 * 1024 * 1024,
        tiered: { minMergeWidth: 2, maxMergeWidth: 32, sizeRatioPercent: 1, maxSpaceAmplificationPercent: 200 },
        purgeReportBytes: 1024 * 1024,
        backgroundThread: true,
      },
      scrub: { intervalMs: 24 * 3_600_000, bytesPerSec: 8 * 1024 * 1024 },
    });
  });

  it('describes every option', () => {
    const undocumented: string[] = [];
    const visited: string[] = [];
    const walk = (shape: Record<string, { description?: string; unwrap?: () => unknown; shape?: unknown }>, path: string): void => {
      for (const [k, v] of Object.entries(shape)) {
        visited.push(`${path}${k}`);
        if (v.description === undefined) undocumented.push(`${path}${k}`);
        let inner: unknown = v;
        while (inner !== null && typeof inner === 'object' && 'unwrap' in inner && typeof inner.unwrap === 'function')
          inner = inner.unwrap();
        const innerShape = (inner as { shape?: unknown }).shape ?? (inner as { def?: { in?: { shape?: unknown } } }).def?.in?.shape;
        if (innerShape !== undefined && typeof innerShape === 'object') walk(innerShape as never, `${path}${k}.`);
      }
    };
    walk(lsmOptionsSchema.shape as never, '');
    expect(visited).toEqual(
      expect.arrayContaining(['fsync', 'compaction.l0StopTrigger', 'compaction.tiered.sizeRatioPercent', 'scrub.bytesPerSec']),
    );
    expect(undocumented).toEqual([]);
  });

  it('rejects bad options with INVALID_CONFIG naming every bad path', () => {
    let err: unknown;
    try {
      parseLsmOptions({
        memtableBytes: 10,
        fsync: 'sometimes',
        compaction: { l0StopTrigger: 2 },
        scrub: { intervalMs: -1, bytesPerSec: 10, everyMs: 5 },
        bogus: 1,
      });
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'INVALID_CONFIG' });
    const paths = (err as { details: { problems: { path: string }[] } }).details.problems.map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['memtableBytes', 'fsync', 'scrub.intervalMs', 'scrub.bytesPerSec', 'scrub']));
    expect(() => new LsmStorageEngine(new MemoryFileSystem(), '/db', { blockBytes: 1.5 }, new SystemClock())).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
    expect(() => lsmEngine({ fsync: 'never' as never })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('the plugin provides StorageEngine and needs FileSystem, Clock, Config and Logger', () => {
    const p = lsmEngine();
    expect(p.name).toBe('@dynamis/engine-lsm');
    expect(p.provides).toEqual(['StorageEngine']);
    expect([...p.needs].sort()).toEqual(['Clock', 'Config', 'FileSystem', 'Logger']);
  });
});
