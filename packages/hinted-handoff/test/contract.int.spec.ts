import { hintStoreContract } from '@dynamis/testkit';
import { lsmHarness, memoryHarness } from './harness';

hintStoreContract('EngineHintStore over MemoryStorageEngine', () => memoryHarness());
hintStoreContract('EngineHintStore over LsmStorageEngine (MemoryFileSystem, 8 KiB memtables)', lsmHarness);
