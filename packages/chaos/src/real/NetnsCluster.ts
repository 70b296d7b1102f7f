import { DynamisClient } from '@dynamis/client';
import type { Clock } from '@dynamis/core';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NetnsNetwork } from './netns';
import { NodeProcess, type NodeCommand } from './NodeProcess';
import type { NemesisEvent } from './schedule';

export const NODE_PORT = 7070;
export const ADMIN_PORT = 9464;

export interface ClusterOptions {
  readonly nodes: number;
  readonly workDir: string;
  readonly secret: string;
  readonly clientToken: string;
  readonly adminToken: string;
  /** Ring partitions (small, so an anti-entropy cycle is seconds). */
  readonly partitions: number;
  /** Node-side request timeout (timeouts.requestMs). */
  readonly requestMs: number;
  /** argv of one node given its config file (`dynamis-server --config FILE`). */
  readonly command: (configFile: string) => NodeCommand;
  readonly bootMs: number;
  readonly clock: Clock;
  /** replication.sloppyQuorum of every node (default false: strict quorum). */
  readonly sloppyQuorum?: boolean;
}

/**
 * `nodes` dynamis-server processes n1..nN, each in its own network namespace
 * (NetnsNetwork) at 10.77.k.i:7070 with its admin endpoint at :9464, with
 * the cluster defaults (gossip, hinted handoff, anti-entropy, engine-lsm,
 * N=3 W=2 R=2), and one DynamisClient per node connected to that node
 * alone. Applies and heals the faults of a schedule. `destroy()` kills every
 * process and removes the network; `destroySync()` does the same from an
 * `exit` handler.
 */
export class NetnsCluster {
  readonly procs = new Map<string, NodeProcess>();
  readonly clients = new Map<string, DynamisClient>();
  private constructor(
    readonly net: NetnsNetwork,
    private readonly options: ClusterOptions,
  ) {}

  /** Builds the network (after `cleanupStale`, by the caller) and writes each node's config; starts nothing. */
  static async create(options: ClusterOptions): Promise<NetnsCluster> {
    const net = await NetnsNetwork.create(options.nodes);
    const cluster = new NetnsCluster(net, options);
    const seeds = net.nodes.map((n) => `n${n.index}@${n.address}:${NODE_PORT}`);
    for (const n of net.nodes) {
      const id = `n${n.index}`;
      const dir = join(options.workDir, id);
      mkdirSync(dir, { recursive: true });
      const file = join(dir, 'node.json');
      writeFileSync(file, JSON.stringify(cluster.config(id, n.address, dir, seeds), null, 2));
      cluster.procs.set(id, new NodeProcess(id, n.ns, options.command(file), join(dir, 'node.log'), options.clock));
    }
    return cluster;
  }

  get ids(): string[] {
    return [...this.procs.keys()];
  }

  address(id: string): string {
    return `ws://${this.net.node(index(id)).address}:${NODE_PORT}`;
  }

  adminUrl(id: string): string {
    return `http://${this.net.node(index(id)).address}:${ADMIN_PORT}`;
  }

  private config(id: string, address: string, dir: string, seeds: string[]): Record<string, unknown> {
    return {
      nodeId: id,
      listen: { host: address, port: NODE_PORT },
      dataDir: join(dir, 'data'),
      coordinator: 'quorum',
      engine: 'lsm',
      seeds,
      replication: { n: 3, w: 2, r: 2, sloppyQuorum: this.options.sloppyQuorum ?? false },
      membership: 'gossip',
      membershipOptions: { probeIntervalMs: 500, probeTimeoutMs: 150, minTransitionMs: 500 },
      hintedHandoffOptions: { checkIntervalMs: 500 },
      antiEntropyOptions: { intervalMs: 100 },
      ring: { partitions: this.options.partitions },
      timeouts: { requestMs: this.options.requestMs },
      admin: { listen: `${address}:${ADMIN_PORT}`, token: this.options.adminToken },
      log: { level: 'warn' },
      logFormat: 'json',
      shutdownLingerMs: 0,
    };
  }

  /** Starts every node (in parallel), then connects one client to each. */
  async startAll(): Promise<void> {
    await Promise.all(this.ids.map((id) => this.procs.get(id)!.start(0, this.options.bootMs)));
    for (const id of this.ids) {
      this.clients.set(
        id,
        await DynamisClient.connect({
          nodes: [this.address(id)],
          token: this.options.clientToken,
          timeoutMs: this.options.requestMs + 2_000,
          retries: 1,
          handshakeTimeoutMs: 2_000,
          heartbeatIntervalMs: 2_000,
        }),
      );
    }
  }

  /** Applies `e`. */
  async inject(e: NemesisEvent): Promise<void> {
    const victim = this.procs.get(`n${e.nodes[0]}`)!;
    switch (e.kind) {
      case 'kill':
        return victim.kill();
      case 'pause':
        return victim.pause();
      case 'isolate':
        return this.net.isolate(e.nodes[0]!);
      case 'skew':
        await victim.kill();
        return victim.start(e.skewMs!, this.options.bootMs);
      case 'halves': {
        const rest = this.net.nodes.map((n) => n.index).filter((i) => !e.nodes.includes(i));
        for (const a of e.nodes) for (const b of rest) await this.net.cut(a, b);
        return;
      }
      case 'bridge': {
        const b = e.nodes.indexOf(e.bridge!);
        for (const l of e.nodes.slice(0, b)) for (const r of e.nodes.slice(b + 1)) await this.net.cut(l, r);
        return;
      }
    }
  }

  /** Heals everything: links up, routes gone, paused nodes continued, stopped nodes restarted (with the clock they had). */
  async healAll(): Promise<void> {
    await this.net.heal();
    for (const p of this.procs.values()) {
      if (p.paused) p.resume();
      if (!p.running) await p.start(p.skewMs, this.options.bootMs);
    }
  }

  /** Closes the clients, kills every process, removes the network. Never rejects. */
  async destroy(): Promise<void> {
    for (const c of this.clients.values()) await c.close().catch(() => undefined);
    this.clients.clear();
    for (const p of this.procs.values()) await p.dispose().catch(() => undefined);
    await this.net.destroy();
  }

  /** SIGKILL to every process and the network removed, synchronously (for an `exit` handler). */
  destroySync(): void {
    for (const p of this.procs.values()) p.kill9();
    this.net.destroySync();
  }
}

const index = (id: string): number => Number(id.slice(1));
