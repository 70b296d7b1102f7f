import { DynamisError, SystemClock, type Clock } from '@dynamis/core';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { adminUrls, nodeAddresses, type ClusterFiles } from './clusterLayout';

/** How each node process is started: the node flags besides id, host, port, data dir and peers. */
export interface NodeSettings {
  /** How to run `dynamis start`: the executable and its leading arguments (node, its execArgv, the CLI's main). */
  readonly command: readonly [string, ...string[]];
  /** Extra `dynamis start` flags for every node (engine, resolver, log level...). */
  readonly flags: readonly string[];
  /**
   * A node config file shared by every node (NODE_CONFIG_FILE in the cluster's
   * dir, passed with --config; the flags win over it): the settings that have
   * no flag, e.g. `engineOptions` and `ring`. The node validates it and
   * refuses a key it does not read. Must hold no secret (the file is 0644).
   */
  readonly config?: Readonly<Record<string, unknown>>;
  /** Extra flags for one node, after the shared ones (e.g. its TLS certificate). */
  readonly nodeFlags?: (nodeId: string) => readonly string[];
  /** Called with each line a node prints, prefixed by nobody: the caller adds `[id]`. */
  readonly onLine: (nodeId: string, stream: 'stdout' | 'stderr', line: string) => void;
  /** Called when a node exits on its own (not during stop()). */
  readonly onUnexpectedExit: (nodeId: string, code: number | string) => void;
}

/** One running node process. */
export interface NodeProcess {
  readonly id: string;
  /** Where it listens, as it printed it: ws://host:port, or wss://host:port for a TLS node. */
  readonly address: string;
  readonly pid: number;
  /**
   * Its admin endpoint (dashboard, /health, /status, /metrics), http://host:port/
   * (plain HTTP on loopback, also in a TLS cluster: @dynamis/admin serves no
   * TLS); undefined when the layout gives it no admin port.
   */
  readonly admin: string | undefined;
}

/** The file in the cluster's dir holding NodeSettings.config. */
export const NODE_CONFIG_FILE = 'node-config.json';

/** Longest line kept in memory before it is passed on unfinished (a node printing without newlines stays bounded). */
const MAX_LINE = 64 * 1024;

interface Child {
  readonly id: string;
  /** The layout's ws:// address until the node prints its own (wss:// under TLS). */
  address: string;
  readonly child: ChildProcess;
  readonly exited: Promise<number | string>;
}

/** The line a node prints once it listens (`dynamis node <id> listening on <url>`, @dynamis/server). */
const LISTENING = / listening on (wss?:\/\/\S+)/;

/**
 * Runs one `dynamis start` process per node of a cluster's layout on its
 * host and port, with its data under `<dir>/<id>` and the secrets in the
 * environment (never on a command line), and its admin endpoint on the
 * layout's `adminPort` when it has one (`--admin host:port`; loopback, so no
 * token). Every node lists every node as a seed. Not reusable: start()
 * once, stop() once.
 */
export class ClusterSupervisor {
  private readonly children: Child[] = [];
  private stopping: Promise<number> | undefined;

  constructor(
    private readonly files: ClusterFiles,
    private readonly settings: NodeSettings,
    private readonly clock: Clock = new SystemClock(),
  ) {}

  /**
   * Starts every node and resolves once each printed that it listens, with
   * the address each printed (wss:// for a TLS node). If one
   * exits first, stops the others and rejects UNAVAILABLE naming it and its
   * last output.
   */
  async start(): Promise<NodeProcess[]> {
    const { layout } = this.files;
    const addresses = nodeAddresses(layout);
    const peers = layout.nodes.flatMap((n) => ['--peer', `${n.id}@${layout.host}:${n.port}`]);
    const replication = `${layout.replication.n},${layout.replication.w},${layout.replication.r}`;
    const configFlags: string[] = [];
    if (this.settings.config !== undefined) {
      const file = join(this.files.dir, NODE_CONFIG_FILE);
      writeFileSync(file, `${JSON.stringify(this.settings.config, null, 2)}\n`);
      configFlags.push('--config', file);
    }
    const adminHost = layout.host.includes(':') ? `[${layout.host}]` : layout.host;
    const ready = layout.nodes.map((node, i) =>
      this.spawnNode(node.id, addresses[i]!, [
        ...['--node-id', node.id, '--host', layout.host, '--port', String(node.port)],
        ...['--data-dir', join(this.files.dir, node.id), '--coordinator', 'quorum', '--replication', replication],
        ...peers,
        ...configFlags,
        ...(node.adminPort === undefined ? [] : ['--admin', `${adminHost}:${node.adminPort}`]),
        ...this.settings.flags,
        ...(this.settings.nodeFlags?.(node.id) ?? []),
      ]),
    );
    try {
      await Promise.all(ready);
    } catch (err) {
      await this.stop(30_000);
      throw err;
    }
    const admins = adminUrls(layout);
    return this.children.map((c, i) => ({ id: c.id, address: c.address, pid: c.child.pid ?? -1, admin: admins[i] }));
  }

  /**
   * SIGTERM to every node still running (each stops gracefully), SIGKILL to
   * any still running `killAfterMs` later; resolves with the number of nodes
   * that did not exit 0 (killed ones included) once every process is gone.
   * Idempotent.
   */
  stop(killAfterMs: number): Promise<number> {
    return (this.stopping ??= this.stopAll(killAfterMs));
  }

  private async stopAll(killAfterMs: number): Promise<number> {
    const codes = await Promise.all(
      this.children.map(async ({ child, exited }) => {
        if (child.exitCode !== null || child.signalCode !== null) return exited;
        child.kill('SIGTERM');
        const timer = this.clock.setTimer(killAfterMs, () => child.kill('SIGKILL'));
        const code = await exited;
        timer.cancel();
        return code;
      }),
    );
    return codes.filter((c) => c !== 0).length;
  }

  private spawnNode(id: string, address: string, flags: string[]): Promise<void> {
    const [exe, ...lead] = this.settings.command;
    const child = spawn(exe, [...lead, 'start', ...flags], {
      env: { ...process.env, DYNAMIS_SECRET: this.files.secret, DYNAMIS_CLIENT_TOKEN: this.files.clientToken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    const entry: Child = { id, address, child, exited };
    this.children.push(entry);
    let tail: string[] = [];
    let listening = false;
    return new Promise<void>((resolve, reject) => {
      const lines = (stream: 'stdout' | 'stderr') => {
        let buffered = '';
        return (data: Buffer): void => {
          buffered += data.toString('utf8');
          const parts = buffered.split('\n');
          buffered = parts.pop() ?? '';
          if (buffered.length > MAX_LINE) {
            parts.push(buffered);
            buffered = '';
          }
          for (const line of parts) {
            this.settings.onLine(id, stream, line);
            tail = [...tail.slice(-9), line];
            const printed = !listening && stream === 'stdout' ? LISTENING.exec(line) : null;
            if (printed !== null) {
              listening = true;
              entry.address = printed[1]!;
              resolve();
            }
          }
        };
      };
      child.stdout!.on('data', lines('stdout'));
      child.stderr!.on('data', lines('stderr'));
      void exited.then((code) => {
        if (!listening) {
          reject(
            new DynamisError('UNAVAILABLE', `node ${id} exited (${code}) before listening:\n${tail.join('\n')}`, { details: { node: id } }),
          );
        } else if (this.stopping === undefined) {
          this.settings.onUnexpectedExit(id, code);
        }
      });
    });
  }
}
