import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ClusterSupervisor } from '../cluster/ClusterSupervisor';
import { newLayout, nodeAddresses, writeClusterFiles } from '../cluster/clusterLayout';
import { freePorts } from '../cluster/freePorts';
import { replicationOf, type Configuration } from './experimentSpec';
import { nodeSettingsFor } from './nodeSettingsFor';

const HOST = '127.0.0.1';
/** On stop, SIGKILL a node still running after this long. */
const STOP_TIMEOUT_MS = 30_000;

/** A fresh local cluster running one configuration. */
export interface ConfigCluster {
  /** ws://host:port of each node, in node order (n1, n2, ...). */
  readonly addresses: readonly string[];
  /** http://host:port/ of each node's admin endpoint (loopback, no token), in node order. */
  readonly adminUrls: readonly string[];
  /** The node processes' ids, in node order. */
  readonly pids: readonly number[];
  /** The client token of client id `default`. */
  readonly token: string;
  readonly replication: { readonly n: number; readonly w: number; readonly r: number };
  /** Stops every node (SIGTERM, SIGKILL after 30 s) and removes the cluster's directory; resolves with the nodes that did not exit 0. Idempotent. */
  readonly stop: () => Promise<number>;
}

/** How to start the nodes: see NodeSettings. */
export interface ConfigClusterOptions {
  readonly command: readonly [string, ...string[]];
  /** Where the cluster's temporary directory is made. */
  readonly tempRoot: string;
  readonly logLevel: string;
  readonly onLine: (nodeId: string, stream: 'stdout' | 'stderr', line: string) => void;
}

/**
 * Starts `nodes` real node processes (`dynamis start`, engine, resolver,
 * N/W/R, engine-lsm and ring options of `c`) in a fresh directory under
 * `tempRoot`, each with an admin endpoint on a free loopback port. Resolves
 * once every node listens; rejects (UNAVAILABLE naming the node, or the
 * node's INVALID_CONFIG output) after removing the directory when one fails.
 */
export async function startConfigCluster(c: Configuration, nodes: number, options: ConfigClusterOptions): Promise<ConfigCluster> {
  const dir = mkdtempSync(join(options.tempRoot, 'dynamis-experiment-'));
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  try {
    const ports = await freePorts(HOST, nodes * 2);
    const replication = replicationOf(c, nodes);
    const files = writeClusterFiles(dir, newLayout(HOST, ports.slice(0, nodes), replication));
    const adminPorts = new Map(files.layout.nodes.map((node, i) => [node.id, ports[nodes + i]!]));
    const { flags, config } = nodeSettingsFor(c, options.logLevel);
    const supervisor = new ClusterSupervisor(files, {
      command: options.command,
      flags,
      config,
      nodeFlags: (id) => ['--admin', `${HOST}:${adminPorts.get(id)!}`],
      onLine: options.onLine,
      onUnexpectedExit: (id, code) => options.onLine(id, 'stderr', `exited (${code}) during the experiment`),
    });
    const processes = await supervisor.start();
    let stopping: Promise<number> | undefined;
    return {
      addresses: nodeAddresses(files.layout),
      adminUrls: files.layout.nodes.map((node) => `http://${HOST}:${adminPorts.get(node.id)!}/`),
      pids: processes.map((p) => p.pid),
      token: files.clientToken,
      replication,
      stop: () =>
        (stopping ??= supervisor.stop(STOP_TIMEOUT_MS).then((failed) => {
          remove();
          return failed;
        })),
    };
  } catch (err) {
    remove();
    throw err;
  }
}
