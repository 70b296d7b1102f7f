import { storageEngineContract, storageEngineModelTest } from '@dynamis/testkit';
import { lsmFactory, smallOptions } from './helpers';

for (const strategy of ['leveled', 'tiered'] as const) {
  storageEngineContract(`LsmStorageEngine (${strategy}, MemoryFileSystem, 8 KiB memtables)`, lsmFactory(smallOptions(strategy)));
  storageEngineModelTest(`LsmStorageEngine (${strategy}, 4 KiB memtables)`, lsmFactory(smallOptions(strategy, { memtableBytes: 4096 })), {
    numRuns: 60,
  });
}
storageEngineContract(
  'LsmStorageEngine (leveled, NodeFileSystem, fsync always)',
  lsmFactory(smallOptions('leveled', { fsync: 'always' }), 'disk'),
);
