import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NodeFileSystem, SystemClock, type FileSystem, type StorageEngine } from '@dynamis/core';
import { MemoryFileSystem, type EngineFactory, SeededRandom } from '@dynamis/testkit';
import { LsmStorageEngine, type LsmOptions } from '../src';

/** Small sizes so that flushes and compactions happen within a test. */
export function smallOptions(strategy: 'leveled' | 'tiered', extra: LsmOptions = {}): LsmOptions {
  return {
    memtableBytes: 8 * 1024,
    blockBytes: 512,
    blockCacheBytes: 64 * 1024,
    // A few tables whole in memory, the rest read block by block: both read paths run.
    residentTableBytes: 32 * 1024,
    fsync: 'none',
    ...extra,
    compaction: {
      strategy,
      l0CompactionTrigger: 2,
      l0SlowdownTrigger: 6,
      l0StopTrigger: 10,
      baseLevelBytes: 16 * 1024,
      targetFileBytes: 8 * 1024,
      maxLevels: 5,
      ...extra.compaction,
    },
  };
}

interface Placement {
  readonly fs: FileSystem;
  readonly dir: string;
  readonly tmp?: string;
}

/** An EngineFactory over MemoryFileSystem (a fresh one per engine) or a temp dir on disk. */
export function lsmFactory(options: LsmOptions, where: 'memory' | 'disk' = 'memory'): EngineFactory {
  const placement = new WeakMap<StorageEngine, Placement>();
  const clock = new SystemClock();
  const make = (p: Placement): StorageEngine => {
    const engine = new LsmStorageEngine(p.fs, p.dir, options, clock);
    placement.set(engine, p);
    return engine;
  };
  return {
    create: () => {
      if (where === 'memory') return make({ fs: new MemoryFileSystem(), dir: '/db' });
      const tmp = mkdtempSync(join(tmpdir(), 'dynamis-lsm-'));
      return make({ fs: new NodeFileSystem(), dir: join(tmp, 'db'), tmp });
    },
    reopen: (closed) => make(placement.get(closed)!),
    destroy: (engine) => {
      const tmp = placement.get(engine)?.tmp;
      if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
    },
  };
}

/** Bytes of a string. */
export function s(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, 'utf8'));
}

/** A zero-padded key `k000123`. */
export function key(i: number, width = 6): Uint8Array {
  return s(`k${String(i).padStart(width, '0')}`);
}

/** A deterministic PRNG giving floats in [0, 1) (testkit's SeededRandom), so tests need no Math.random. */
export function prng(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

/** The engine's counter `name` (throws if the engine does not report it). */
export function stat(e: StorageEngine, name: string): number {
  const v = e.stats().counters[name];
  if (v === undefined) throw new Error(`no counter ${name}`);
  return v;
}
