// @dynamis/engine-memory: an ordered, volatile StorageEngine (data is gone on
// close or crash). For tests, simulations and caches; not for data you keep.
export { MemoryStorageEngine, type MemoryEngineOptions } from './MemoryStorageEngine';
export { memoryEngine } from './plugin';
