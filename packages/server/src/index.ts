// @dynamis/server: a Dynamis node process (a composition root, like a CLI).
// `startServer(config)` composes and starts a node; `dynamis-server` (main.ts)
// is the executable. See README.md.
export { startServer, plugins, type DynamisServer, type StartServerOptions } from './startServer';
export {
  resolveServerConfig,
  serverOptionsSchema,
  CLUSTER_DEFAULTS,
  type ClusterPlugins,
  type ServerConfigInput,
  type ServerOptions,
  type ResolvedServerConfig,
} from './serverConfig';
export { parseCliArgs, buildConfig, USAGE, type CliArgs } from './cli';
export { runServer, usageFor, reportError, type RunServerOptions } from './runServer';
