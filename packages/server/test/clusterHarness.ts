import { DynamisClient } from '@dynamis/client';
import { expect } from '@jest/globals';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { CLIENT_TOKEN, startServerProcess, tempDir, type ServerProcess } from './serverProcess';

export const IDS = ['n1', 'n2', 'n3'] as const;
export type NodeName = string;
export const DEADLINE_MS = 60_000;
/** How long one node process may take to print its address: generous, six of them may boot at once on a loaded box. */
export const BOOT_MS = 120_000;
/** Timeout of a request inside the cluster (timeouts.requestMs), and of one client attempt a little above it. */
const REQUEST_MS = 10_000;

/**
 * A port that was free a moment ago, chosen below Linux's ephemeral range
 * (32768–60999): a node restarted on its port after kill -9 must not find it
 * taken by some outgoing connection's local port, which the kernel picks from
 * that range (a port from listen(0) comes from the same range).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/** Retries `op` until it resolves (transient errors while membership marks a node down or up); rethrows the last error at the deadline. */
export async function eventually<T>(op: () => Promise<T>, timeoutMs = DEADLINE_MS): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (Date.now() > until) throw err;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** How a ProcessCluster differs from the default three nodes. */
export interface ProcessClusterOptions {
  /** Node ids, default n1..n3. */
  readonly ids?: readonly string[];
  /** Config keys laid over the default config of every node (shallow: a key given replaces the default's). */
  readonly config?: Readonly<Record<string, unknown>>;
}

/**
 * `dynamis-server` processes (default n1..n3) on 127.0.0.1 (coordinator
 * quorum, engine-lsm, transport-ws, N=3 W=2 R=2; by default
 * membership-static with fast probes and neither hinted handoff nor
 * anti-entropy, so that what a test sees is quorum and read repair alone),
 * each with one client connected to it alone. `args` are extra command-line
 * flags of every node (e.g. `['--resolver', 'vclock']`). A killed node
 * restarts on its port and data directory. The caller calls setup() in
 * beforeAll, teardown() in afterAll.
 */
export class ProcessCluster {
  private readonly dirs: string[] = [];
  private readonly nodes = new Map<NodeName, ServerProcess>();
  private readonly clients = new Map<NodeName, DynamisClient>();
  private seeds: string[] = [];
  private ports: number[] = [];
  readonly ids: readonly string[];

  constructor(
    private readonly args: readonly string[] = [],
    private readonly options: ProcessClusterOptions = {},
  ) {
    this.ids = options.ids ?? IDS;
  }

  async setup(): Promise<void> {
    for (let i = 0; i < this.ids.length; i += 1) this.ports.push(await freePort());
    this.seeds = this.ids.map((id, i) => `${id}@127.0.0.1:${this.ports[i]}`);
    for (let i = 0; i < this.ids.length; i += 1) this.dirs.push(tempDir());
    await Promise.all(this.ids.map((id) => this.start(id)));
  }

  async teardown(): Promise<void> {
    for (const c of this.clients.values()) await c.close().catch(() => undefined);
    for (const p of this.nodes.values()) await p.dispose();
    for (const d of this.dirs) rmSync(d, { recursive: true, force: true });
  }

  /** Starts (or restarts, same port and data dir) node `id` and connects its client. */
  async start(id: NodeName): Promise<void> {
    const i = this.ids.indexOf(id);
    const proc = await startServerProcess(this.config(i), [...this.args], this.dirs[i], BOOT_MS);
    this.nodes.set(id, proc);
    this.clients.set(
      id,
      await DynamisClient.connect({ nodes: [proc.address], token: CLIENT_TOKEN, timeoutMs: REQUEST_MS + 5000, retries: 0 }),
    );
  }

  /** The client connected to node `id` (alone: no failover to another node). */
  client(id: NodeName): DynamisClient {
    const c = this.clients.get(id);
    if (c === undefined) throw new Error(`node ${id} is not running`);
    return c;
  }

  /** The address node `id` listens on (as it printed it). */
  address(id: NodeName): string {
    const p = this.nodes.get(id);
    if (p === undefined) throw new Error(`node ${id} was never started`);
    return p.address;
  }

  /** Node `id`'s data directory (`dataDir` of its config). */
  dataDir(id: NodeName): string {
    return join(this.dirs[this.ids.indexOf(id)]!, 'data');
  }

  /** Node `id`'s process (its output, its exit). */
  process(id: NodeName): ServerProcess {
    const p = this.nodes.get(id);
    if (p === undefined) throw new Error(`node ${id} was never started`);
    return p;
  }

  /** Closes node `id`'s client and kills the process with SIGKILL (no shutdown, no flush). */
  async kill(id: NodeName): Promise<void> {
    await this.clients.get(id)?.close();
    this.clients.delete(id);
    const proc = this.nodes.get(id)!;
    proc.child.kill('SIGKILL');
    expect(await proc.exited).toBe('SIGKILL');
  }

  private config(i: number): Record<string, unknown> {
    return {
      nodeId: this.ids[i],
      listen: { host: '127.0.0.1', port: this.ports[i] },
      coordinator: 'quorum',
      engine: 'lsm',
      seeds: this.seeds,
      replication: { n: 3, w: 2, r: 2 },
      membership: 'static',
      membershipOptions: { pingIntervalMs: 200, pingTimeoutMs: 150, failuresBeforeDown: 2, minTransitionMs: 500 },
      hintedHandoff: false,
      antiEntropy: false,
      timeouts: { requestMs: REQUEST_MS },
      log: { level: 'error' },
      shutdownLingerMs: 0,
      ...this.options.config,
    };
  }
}
