export * from './CheckResult';
export { ABSENT } from './registerHistory';
export { checkDurability } from './durability';
export { checkPhantoms } from './phantoms';
export { checkSetUnion } from './setUnion';
export { checkConvergence, canonicalRecord, type ReplicaRecord, type ReplicaSibling } from './convergence';
export { checkLww } from './lww';
