import { DynamisClient } from '@dynamis/client';
import { buildConfig, parseCliArgs, startServer, type DynamisServer } from '@dynamis/server';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sleep } from './drive';
import { clock } from './env';
import { benchTempDir, freePort, spawnReady, type BenchChild } from './processes';

/** The node entry point of @dynamis/server (its dist must be built: the bench script builds it). */
const SERVER_MAIN = join(dirname(require.resolve('@dynamis/server')), 'main.js');

/** Secrets of this bench run: random, passed to the nodes through their environment only. */
const SECRET = randomBytes(24).toString('hex');
const CLIENT_TOKEN = randomBytes(24).toString('hex');

/** Running node processes with one client connected to each. */
export interface Nodes {
  readonly addresses: readonly string[];
  /** clients[i] prefers node i and falls back to none: a failure is counted, not hidden by a retry. */
  readonly clients: readonly DynamisClient[];
  readonly procs: readonly BenchChild[];
  /** Closes the clients, then stops the nodes with SIGTERM (graceful: a --cpu-prof profile is written). */
  stop(): Promise<void>;
}

export interface NodeFlags {
  readonly engine: 'memory' | 'lsm';
  readonly coordinator: 'local' | 'quorum';
}

/**
 * Starts one `node packages/server/dist/main.js` with `--coordinator local`
 * and the given engine, on a free port with a temporary data dir, under
 * `nodeFlags` (e.g. --cpu-prof).
 */
export async function startSingleNode(engine: 'memory' | 'lsm', nodeFlags: readonly string[] = []): Promise<Nodes> {
  const dir = benchTempDir(`node-${engine}`);
  const args = ['--node-id', 'n1', '--host', '127.0.0.1', '--port', '0', '--data-dir', dir, '--coordinator', 'local', '--engine', engine];
  const { proc, match } = await startNode(`node (${engine})`, args, nodeFlags);
  return connectAll([match[1]!], [proc]);
}

/** Requests in flight per connection allowed on a floor node (the default, 128, can be exceeded there: see startFloorNodes). */
export const FLOOR_MAX_REQUESTS_IN_FLIGHT = 256;

/** The config file of a floor node (see startFloorNodes). */
const FLOOR_CONFIG = JSON.stringify({ transport: { maxRequestsInFlight: FLOOR_MAX_REQUESTS_IN_FLIGHT } });

/** The command line (config file aside) of each of `size` floor nodes: ids n1…, any free port, a temporary data dir named after `dirPrefix`. */
function floorArgs(size: number, engine: 'lsm' | 'memory', dirPrefix: string): string[][] {
  return Array.from({ length: size }, (_, i) => {
    const id = `n${i + 1}`;
    const dir = benchTempDir(`${dirPrefix}-${id}`);
    return ['--node-id', id, '--host', '127.0.0.1', '--port', '0', '--data-dir', dir, '--coordinator', 'local', '--engine', engine];
  });
}

/**
 * Starts `size` independent single nodes for the coordination-free floor
 * (ycsb.ts runFloorWorkload): `--coordinator local --engine <engine>`, each
 * on a free port with a temporary data dir, no peers; one client each. Their
 * config file raises transport.maxRequestsInFlight to
 * FLOOR_MAX_REQUESTS_IN_FLIGHT: an update completes after 2 of its 3 puts, so
 * a node running behind holds late puts beside the 64 current requests,
 * where the cluster's coordinator holds them in its peer links instead.
 */
export async function startFloorNodes(size: number, engine: 'lsm' | 'memory'): Promise<Nodes> {
  const config = join(benchTempDir('floor-config'), 'node.json');
  writeFileSync(config, FLOOR_CONFIG);
  const started = await Promise.all(
    floorArgs(size, engine, 'floor').map((args, i) => startNode(`floor node n${i + 1}`, ['--config', config, ...args], [])),
  );
  return connectAll(
    started.map((s) => s.match[1]!),
    started.map((s) => s.proc),
  );
}

/** The floor of startFloorNodes, in this process (as startInProcessCluster is the cluster's): same command lines and config. */
export async function startInProcessFloor(size: number, engine: 'lsm' | 'memory'): Promise<Nodes> {
  const configs = floorArgs(size, engine, 'inprocess-floor').map((args) =>
    buildConfig(FLOOR_CONFIG, parseCliArgs([...args, '--log-level', 'warn'])),
  );
  return inProcess(await Promise.all(configs.map((config) => startServer(config, { env: nodeEnv() }))));
}

/**
 * Starts `size` node processes forming one cluster: `--coordinator quorum
 * --engine <engine> --replication 3,2,2`, each with every member as `--peer
 * id@127.0.0.1:port` and a temporary data dir; node n1 under `nodeFlags` (e.g.
 * --cpu-prof). Resolves once a put through every node is acknowledged by a
 * quorum (membership has seen the peers), retrying for up to 60 s.
 */
export async function startCluster(size: number, engine: 'lsm' | 'memory', n1NodeFlags: readonly string[] = []): Promise<Nodes> {
  const nodeArgs = await clusterArgs(size, engine, 'cluster');
  const started = await Promise.all(nodeArgs.map((args, i) => startNode(`cluster node n${i + 1}`, args, i === 0 ? n1NodeFlags : [])));
  const nodes = await connectAll(
    started.map((s) => s.match[1]!),
    started.map((s) => s.proc),
  );
  await untilQuorum(nodes);
  return nodes;
}

/**
 * The cluster of startCluster, in this process: `size` nodes started with
 * @dynamis/server's startServer from the same command line a node process
 * gets (so the same defaults), each on its own port and temporary data dir,
 * talking over real ws connections on 127.0.0.1; one client per node, as
 * there. `procs` is empty: the nodes' CPU is this process's. Resolves once a
 * put through every node is acknowledged by a quorum, retrying for up to 60 s.
 */
export async function startInProcessCluster(size: number, engine: 'lsm' | 'memory'): Promise<Nodes> {
  const nodeArgs = await clusterArgs(size, engine, 'inprocess');
  const servers = await Promise.all(
    nodeArgs.map((args) => startServer(buildConfig(undefined, parseCliArgs([...args, '--log-level', 'warn'])), { env: nodeEnv() })),
  );
  const nodes = await inProcess(servers);
  try {
    await untilQuorum(nodes);
  } catch (err) {
    await nodes.stop(); // in this process: nothing else would stop them, and their handles would keep it alive
    throw err;
  }
  return nodes;
}

/** The secrets of this bench run, as a node's environment gives them. */
function nodeEnv(): Record<string, string> {
  return { DYNAMIS_SECRET: SECRET, DYNAMIS_CLIENT_TOKEN: CLIENT_TOKEN };
}

/** One client to each of `servers` (started in this process); stop() closes the clients, then the servers. */
async function inProcess(servers: readonly DynamisServer[]): Promise<Nodes> {
  const nodes = await connectAll(
    servers.map((s) => s.address),
    [],
  );
  return {
    ...nodes,
    stop: async () => {
      await Promise.all(nodes.clients.map((c) => c.close()));
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

/**
 * The command line of each node of a `size`-node cluster (ids n1…, free
 * ports on 127.0.0.1, every member a --peer, a temporary data dir named
 * after `dirPrefix`): quorum N=3 W=2 R=2 on `engine`.
 */
async function clusterArgs(size: number, engine: 'lsm' | 'memory', dirPrefix: string): Promise<string[][]> {
  const ids = Array.from({ length: size }, (_, i) => `n${i + 1}`);
  const ports = await Promise.all(ids.map(() => freePort()));
  const peers = ids.flatMap((id, i) => ['--peer', `${id}@127.0.0.1:${ports[i]}`]);
  return ids.map((id, i) => [
    ...['--node-id', id, '--host', '127.0.0.1', '--port', String(ports[i]), '--data-dir', benchTempDir(`${dirPrefix}-${id}`)],
    ...['--coordinator', 'quorum', '--engine', engine, '--replication', '3,2,2', ...peers],
  ]);
}

/** Until a put through every node of `nodes` is acknowledged by a quorum (membership has seen the peers), for up to 60 s. */
async function untilQuorum(nodes: Nodes): Promise<void> {
  const value = new Uint8Array(16);
  const until = clock.monotonic() + 60_000;
  for (const [i, client] of nodes.clients.entries()) {
    for (;;) {
      try {
        const w = await client.put(`bench/ready/${i}`, value);
        if (w.acks >= 2) break;
      } catch (err) {
        if (clock.monotonic() > until)
          throw new Error(`the cluster did not accept a quorum write through n${i + 1} within 60 s: ${String(err)}`);
      }
      if (clock.monotonic() > until) throw new Error(`the cluster did not reach a quorum through n${i + 1} within 60 s`);
      await sleep(100);
    }
  }
}

export function startNode(
  name: string,
  args: readonly string[],
  nodeFlags: readonly string[],
  logLevel: 'warn' | 'info' = 'warn',
): Promise<{ proc: BenchChild; match: RegExpExecArray }> {
  const env = { ...process.env, ...nodeEnv() };
  return spawnReady(name, process.execPath, [...nodeFlags, SERVER_MAIN, ...args, '--log-level', logLevel], /listening on (ws:\/\/\S+)/, {
    env,
    timeoutMs: 60_000,
  });
}

export async function connectAll(addresses: string[], procs: BenchChild[]): Promise<Nodes> {
  const clients = await Promise.all(
    addresses.map((address) => DynamisClient.connect({ nodes: [address], token: CLIENT_TOKEN, timeoutMs: 10_000, retries: 0 })),
  );
  return {
    addresses,
    clients,
    procs,
    stop: async () => {
      await Promise.all(clients.map((c) => c.close()));
      await Promise.all(procs.map((p) => p.stop()));
    },
  };
}
