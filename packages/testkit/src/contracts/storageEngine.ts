import { afterAll, afterEach, describe } from '@jest/globals';
import { basicCases } from './storageEngineBasics';
import { featureCases } from './storageEngineFeatures';
import { EngineHarness, type EngineFactory } from './storageEngineHelpers';
import { iteratorCases } from './storageEngineIterators';
import { rangeDeleteCases } from './storageEngineRangeDelete';
import { seekSnapshotCases } from './storageEngineSeekSnapshot';

export type { EngineFactory } from './storageEngineHelpers';
export { storageEngineModelTest, type ModelTestOptions } from './storageEngineModel';

/**
 * The contract every StorageEngine must pass (see the StorageEngine port),
 * in the style of abstract-level's compliance suite. One call per
 * implementation, e.g.
 * `storageEngineContract('memory', { create: () => new MemoryStorageEngine() })`.
 *
 * Covers: lifecycle and NOT_OPEN, point reads and writes, empty and binary
 * keys in memcmp order, atomic ordered batches, INVALID_ARGUMENT checks,
 * buffer ownership, iterators (bounds, reverse, limit, nextv, early close,
 * for await), snapshot isolation, iterator seek, explicit snapshots (get
 * and iterators, release, close), deleteRange, stats, and — gated by `supports` —
 * persistence across reopen (or volatility) and the compaction filter.
 * Every engine a test creates is closed and destroyed after it.
 */
export function storageEngineContract(name: string, factory: EngineFactory): void {
  const probe = factory.create();
  const supports = probe.supports;
  describe(`StorageEngine contract: ${name}`, () => {
    const h = new EngineHarness(factory);
    afterEach(() => h.cleanup());
    afterAll(async () => {
      await factory.destroy?.(probe);
    });
    basicCases(h);
    iteratorCases(h);
    seekSnapshotCases(h);
    rangeDeleteCases(h, supports);
    featureCases(h, supports);
  });
}
