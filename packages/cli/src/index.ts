// @dynamis/cli: the `dynamis` command (main.ts). Exported for embedding and tests:
// the program, its exit codes and the local cluster's data-dir layout. See README.md.
export { runCli, buildProgram, type CliOutcome } from './program';
export { EXIT, exitCodeOf } from './exitCodes';
export type { Io } from './io';
export { ClusterSupervisor, type NodeProcess, type NodeSettings } from './cluster/ClusterSupervisor';
export {
  readClusterFiles,
  writeClusterFiles,
  newLayout,
  nodeAddresses,
  LAYOUT_FILE,
  SECRET_FILE,
  CLIENT_TOKEN_FILE,
  type ClusterLayout,
  type ClusterFiles,
} from './cluster/clusterLayout';
