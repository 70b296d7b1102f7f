import { LwwResolver } from '@dynamis/conflict-lww';
import { configSchema, SystemClock, type Logger, type ManualClock, type Sibling, type StorageEngine } from '@dynamis/core';
import { LsmStorageEngine } from '@dynamis/engine-lsm';
import { MemoryStorageEngine } from '@dynamis/engine-memory';
import { MemoryFileSystem, type HintStoreBounds, type HintStoreHarness } from '@dynamis/testkit';
import { EngineHintStore, hintStoreOptionsSchema, type HintStoreOptions } from '../src';

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {}, child: () => silent };
const limits = configSchema.parse({}).limits;

/**
 * A HintStoreHarness for EngineHintStore over one storage: `engine()` makes
 * the engine of each open (the same MemoryStorageEngine every time, or a new
 * LsmStorageEngine over the same MemoryFileSystem, so a reopen reads files).
 */
export function engineHintStoreHarness(engine: () => StorageEngine, extra: Partial<HintStoreOptions> = {}): HintStoreHarness {
  const resolver = new LwwResolver({ maxSkewMs: 60_000 });
  return {
    async open(bounds: HintStoreBounds, clock: ManualClock) {
      const e = engine();
      await e.open();
      const options = hintStoreOptionsSchema.parse({ ...extra, ...bounds });
      const store = new EngineHintStore(e, resolver, clock, silent, options, limits);
      await store.start();
      return {
        store,
        close: async () => {
          await store.stop();
          await e.close();
        },
      };
    },
    sibling(value: string | null, clock: ManualClock): Sibling {
      return {
        version: resolver.stamp('n1', undefined, [], clock.now()),
        value: value === null ? null : Buffer.from(value),
        writtenAt: clock.now(),
      };
    },
  };
}

export function memoryHarness(extra: Partial<HintStoreOptions> = {}): HintStoreHarness {
  const engine = new MemoryStorageEngine();
  return engineHintStoreHarness(() => engine, extra);
}

export function lsmHarness(): HintStoreHarness {
  const fs = new MemoryFileSystem();
  const clock = new SystemClock();
  return engineHintStoreHarness(() => new LsmStorageEngine(fs, '/db', { memtableBytes: 8 * 1024, fsync: 'none' }, clock));
}
