// @dynamis/ring: the Partitioner. Q equal partitions of the key-hash space claimed by nodes as virtual nodes.
export { RingPartitioner } from './RingPartitioner';
export { RingPlacement } from './RingPlacement';
export { ringPartitioner } from './plugin';
export { ringOptionsSchema, type RingOptions, type ResolvedRingOptions } from './options';
