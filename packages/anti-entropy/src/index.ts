// @dynamis/anti-entropy: the AntiEntropy port over per-partition Merkle trees.
export { antiEntropy } from './plugin';
export { MerkleAntiEntropy, type MerkleAntiEntropyDeps, type AntiEntropyStats } from './MerkleAntiEntropy';
export { antiEntropyOptionsSchema, type AntiEntropyOptionsInput, type AntiEntropyOptions } from './options';
export { MAX_TREE_LEVELS, MAX_NODES_PER_REQUEST, MAX_KEYS_PER_REQUEST } from './options';
export { type PurgeSource, MAX_PENDING_PURGES } from './merkle/MerkleIndex';
export { AE_MESSAGE, AE_REPLY, payloadBytes } from './protocol';
export { repairPairs, type RepairPair } from './RepairScheduler';
