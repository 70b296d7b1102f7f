export { LocalCoordinator } from './LocalCoordinator';
export { localCoordinator } from './plugin';
