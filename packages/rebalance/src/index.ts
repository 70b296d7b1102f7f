// @dynamis/rebalance: the Rebalancer port — partition streaming on join/leave and routing while it runs.
export { rebalance } from './plugin';
export { PartitionRebalancer, type PartitionRebalancerDeps } from './PartitionRebalancer';
export {
  rebalanceOptionsSchema,
  MAX_BYTES_IN_FLIGHT,
  MAX_CONCURRENT_STREAMS,
  type RebalanceOptionsInput,
  type RebalanceOptions,
} from './options';
export { REBALANCE_MESSAGE, REBALANCE_REPLY, recordBytes } from './protocol';
export { routeFor } from './routeFor';
