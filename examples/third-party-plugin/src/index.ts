// dynamis-engine-leveldb (example): a third-party StorageEngine plugin backed
// by LevelDB (classic-level), written only against @dynamis/core.
export { LevelStorageEngine } from './LevelStorageEngine';
export { levelEngine } from './plugin';
export type { LevelEngineOptions } from './options';
