import { DynamisError, SystemClock } from '@dynamis/core';
import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { ClusterSupervisor, type NodeProcess } from '../cluster/ClusterSupervisor';
import { newLayout, readClusterFiles, writeClusterFiles, type ClusterFiles } from '../cluster/clusterLayout';
import { withAdminPorts } from '../cluster/adminPorts';
import { clusterTls } from '../cluster/clusterTls';
import { freePorts } from '../cluster/freePorts';
import { EXIT } from '../exitCodes';
import { parseCount } from '../format';
import type { Io } from '../io';

type Run = (work: () => Promise<number | undefined>) => Promise<void>;

/** Options of `dynamis cluster`, as parsed. */
interface ClusterOptions {
  readonly nodes?: string;
  readonly dataDir?: string;
  readonly ephemeral?: boolean;
  readonly host: string;
  readonly basePort?: string;
  readonly resolver: string;
  readonly logLevel: string;
  readonly stopTimeoutMs: string;
  readonly tls?: boolean;
}

/**
 * `dynamis cluster`: a local cluster of real node processes (README
 * "dynamis cluster"). Runs until SIGINT/SIGTERM, then stops every node
 * gracefully and exits 0 (3 if a node did not stop cleanly).
 */
export function addClusterCommand(program: Command, io: Io, run: Run): void {
  program
    .command('cluster')
    .description('run a local cluster of node processes (engine-lsm, ring, quorum, gossip, hints, anti-entropy, vector clocks)')
    .option('--nodes <n>', 'number of nodes (default 3; a restart takes the count from the data dir)')
    .option('--data-dir <dir>', 'where the cluster keeps its layout, secrets and node data (default ./data)')
    .option('--ephemeral', 'keep everything in a fresh temporary directory, removed on stop')
    .option('--host <addr>', 'loopback address the nodes bind', '127.0.0.1')
    .option('--base-port <port>', 'ports base, base+1, ... (default: free ports, chosen once and kept in the data dir)')
    .option('--resolver <r>', 'conflict resolver: vclock (siblings) | lww (last write wins)', 'vclock')
    .option('--log-level <l>', "nodes' log level: debug | info | warn | error | silent", 'warn')
    .option('--stop-timeout-ms <ms>', 'on stop, SIGKILL a node still running after this long', '30000')
    .option('--tls', 'wss with mutual TLS: a local CA and node certificates in <data-dir>/tls (made once, then reused)')
    .action((opts: ClusterOptions) => run(() => runCluster(opts, io)));
}

async function runCluster(opts: ClusterOptions, io: Io): Promise<number | undefined> {
  const request = validate(opts);
  // The command's environment decides where temporary files go, like os.tmpdir() does for the process.
  const temp = io.env.TMPDIR !== undefined && io.env.TMPDIR !== '' ? io.env.TMPDIR : tmpdir();
  const dir = opts.ephemeral === true ? mkdtempSync(join(temp, 'dynamis-cluster-')) : resolve(io.cwd, opts.dataDir ?? 'data');
  const cleanup = (): void => {
    if (opts.ephemeral === true) rmSync(dir, { recursive: true, force: true });
  };
  let files: ClusterFiles;
  try {
    files = await clusterFiles(dir, request);
  } catch (err) {
    cleanup();
    throw err;
  }
  const tls = opts.tls === true ? clusterTls(dir, files.layout, new SystemClock().now()) : undefined;
  const supervisor = new ClusterSupervisor(files, {
    command: io.self,
    flags: [
      '--engine',
      'lsm',
      '--resolver',
      opts.resolver,
      '--log-level',
      opts.logLevel,
      ...(tls ? ['--tls-ca', tls.ca, '--tls-mutual'] : []),
    ],
    nodeFlags: (id) => {
      const own = tls?.nodes.get(id);
      return own === undefined ? [] : ['--tls-cert', own.cert, '--tls-key', own.key];
    },
    onLine: (id, stream, line) => (stream === 'stdout' ? io.out : io.err)(`[${id}] ${line}\n`),
    onUnexpectedExit: (id, code) => io.err(`[${id}] exited (${code}) while the cluster runs; the others go on\n`),
  });
  onSignals(supervisor, request.stopTimeoutMs, io, cleanup);
  let nodes: NodeProcess[];
  try {
    nodes = await supervisor.start();
  } catch (err) {
    cleanup();
    throw err;
  }
  io.out(banner(files, nodes, io.cwd, opts.ephemeral === true, tls === undefined ? undefined : relative(io.cwd, tls.ca)));
  return undefined;
}

/** The options checked, before anything is created: INVALID_ARGUMENT (exit 2) naming the option. */
interface ClusterRequest {
  readonly count?: number;
  readonly base?: number;
  readonly host: string;
  readonly stopTimeoutMs: number;
}

const LOOPBACK = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|::1|localhost)$/;
const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'];

function validate(opts: ClusterOptions): ClusterRequest {
  if (opts.ephemeral === true && opts.dataDir !== undefined) throw usage('--ephemeral and --data-dir exclude each other');
  if (!['vclock', 'lww'].includes(opts.resolver)) throw usage(`--resolver must be vclock or lww, got '${opts.resolver}'`);
  if (!LEVELS.includes(opts.logLevel)) throw usage(`--log-level must be one of ${LEVELS.join(', ')}, got '${opts.logLevel}'`);
  // A local cluster speaks plain ws with a secret kept in a local file: loopback only.
  if (!LOOPBACK.test(opts.host)) throw usage(`--host must be a loopback address (127.x.x.x, ::1, localhost), got '${opts.host}'`);
  const count = opts.nodes === undefined ? undefined : parseCount('--nodes', opts.nodes, 1);
  if (count !== undefined && count > 64) throw usage(`--nodes must be at most 64, got ${count}`);
  const base = opts.basePort === undefined ? undefined : parseCount('--base-port', opts.basePort, 1);
  if (base !== undefined && base + (count ?? 3) - 1 > 65535) throw usage(`--base-port ${base} leaves no room for ${count ?? 3} ports`);
  const stopTimeoutMs = parseCount('--stop-timeout-ms', opts.stopTimeoutMs, 1);
  return { ...(count !== undefined ? { count } : {}), ...(base !== undefined ? { base } : {}), host: opts.host, stopTimeoutMs };
}

/** The cluster in `dir`, created on first use, with an admin port per node (given to an older layout's nodes on restart). */
async function clusterFiles(dir: string, request: ClusterRequest): Promise<ClusterFiles> {
  return withAdminPorts(await layoutFiles(dir, request));
}

/** The layout and secrets in `dir`, created on first use; a restart must not ask for another shape. */
async function layoutFiles(dir: string, { count, base, host }: ClusterRequest): Promise<ClusterFiles> {
  const existing = readClusterFiles(dir);
  if (existing !== undefined) {
    const { layout } = existing;
    if (count !== undefined && count !== layout.nodes.length)
      throw usage(`${dir} holds a ${layout.nodes.length}-node cluster; --nodes ${count} differs (use another --data-dir, or remove it)`);
    if (base !== undefined && base !== layout.nodes[0]!.port)
      throw usage(`${dir} holds a cluster on ports from ${layout.nodes[0]!.port}; --base-port ${base} differs`);
    if (host !== layout.host) throw usage(`${dir} holds a cluster on ${layout.host}; --host ${host} differs`);
    return existing;
  }
  const n = count ?? 3;
  const ports = base !== undefined ? Array.from({ length: n }, (_, i) => base + i) : await freePorts(host, n);
  return writeClusterFiles(dir, newLayout(host, ports));
}

/** A repeated signal this soon after the first is the same Ctrl-C reaching the process group, not a second request. */
const DUPLICATE_SIGNAL_MS = 1000;

function onSignals(supervisor: ClusterSupervisor, stopTimeoutMs: number, io: Io, cleanup: () => void): void {
  const clock = new SystemClock();
  let since: number | undefined;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (since !== undefined) {
      if (clock.monotonic() - since >= DUPLICATE_SIGNAL_MS) io.err(`${signal} again: still waiting for the nodes to stop\n`);
      return;
    }
    since = clock.monotonic();
    io.out(`${signal}: stopping every node\n`);
    void supervisor.stop(stopTimeoutMs).then((failed) => {
      cleanup();
      io.out(failed === 0 ? 'cluster stopped\n' : `cluster stopped; ${failed} node(s) did not stop cleanly\n`);
      io.exit(failed === 0 ? EXIT.ok : EXIT.error);
    });
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

function banner(files: ClusterFiles, nodes: readonly NodeProcess[], cwd: string, ephemeral: boolean, ca: string | undefined): string {
  const { n, w, r } = files.layout.replication;
  const rel = relative(cwd, files.dir);
  const dirFlag =
    (ephemeral || rel !== 'data' ? ` --data-dir ${ephemeral ? files.dir : rel}` : '') + (ca === undefined ? '' : ` --ca ${ca}`);
  return [
    `dynamis cluster: ${nodes.length} nodes up (N=${n} W=${w} R=${r}), data in ${files.dir}${ephemeral ? ' (removed on stop)' : ''}`,
    ...nodes.map((node) => `  ${node.id}  ${node.address}  pid ${node.pid}`),
    ...dashboardLines(nodes),
    'Talk to it from another terminal in this directory:',
    `  npx dynamis put greeting hello${dirFlag}`,
    `  npx dynamis get greeting${dirFlag}`,
    `  npx dynamis status${dirFlag}`,
    `Ctrl-C stops every node${ephemeral ? '' : '; the same command restarts the cluster with its data'}.`,
    '',
  ].join('\n');
}

/** `dashboard: <the first node's admin URL>`, then every node's admin endpoint (each serves its own dashboard). */
function dashboardLines(nodes: readonly NodeProcess[]): string[] {
  const withAdmin = nodes.filter((n) => n.admin !== undefined);
  if (withAdmin.length === 0) return [];
  return [
    `dashboard: ${withAdmin[0]!.admin}`,
    `  every node serves its own dashboard, /health, /status and /metrics: ${withAdmin.map((n) => `${n.id} ${n.admin}`).join(', ')}`,
  ];
}

function usage(message: string): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', message);
}
