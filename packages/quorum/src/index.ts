export { quorumCoordinator } from './plugin';
export { QuorumCoordinator, MAX_REPAIRS_IN_FLIGHT, type QuorumStats } from './QuorumCoordinator';
export { replicasFor, quorumLevels, type QuorumLevels } from './levels';
export { FORWARD_MESSAGE, FORWARD_REPLY } from './forwardProtocol';
