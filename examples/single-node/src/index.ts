export { startSingleNode } from './singleNode';
export { runCommand, HELP } from './shell';
