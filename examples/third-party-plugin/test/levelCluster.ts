// Composition of a 3-node cluster on the LevelDB engine. The plugin itself
// (src/) imports only @dynamis/core; composing a node is the application's
// job, so this file picks the other plugins: ring, quorum, static membership,
// LWW and transport-ws (real WebSockets on 127.0.0.1).
import { createServer } from 'node:net';
import { join } from 'node:path';
import { lwwResolver } from '@dynamis/conflict-lww';
import { createNode, MembershipToken, type DynamisNode, type NodeId } from '@dynamis/core';
import { staticMembership } from '@dynamis/membership-static';
import { quorumCoordinator } from '@dynamis/quorum';
import { ringPartitioner } from '@dynamis/ring';
import { wsTransport } from '@dynamis/transport-ws';
import { levelEngine } from '../src';

export const IDS: readonly NodeId[] = ['n1', 'n2', 'n3'];
const SECRET = 'third-party-plugin-example-secret';

/** A free TCP port on 127.0.0.1 (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls `cond` every 5 ms until it holds; throws after `timeoutMs` (a generous deadline, not a timing assertion). */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Three nodes in this process, one LevelDB directory each under `root`,
 * quorum N=3 W=2 R=2. start(id) composes and starts a node (again after a
 * stop: same port, same directory).
 */
export class LevelCluster {
  readonly nodes = new Map<NodeId, DynamisNode>();
  private readonly ports = new Map<NodeId, number>();

  constructor(private readonly root: string) {}

  async start(id: NodeId): Promise<DynamisNode> {
    if (this.ports.size === 0) for (const n of IDS) this.ports.set(n, await freePort());
    const seeds = IDS.map((n) => `${n}@127.0.0.1:${this.ports.get(n)!}`);
    const node = await createNode(
      {
        nodeId: id,
        dataDir: join(this.root, id),
        listen: { host: '127.0.0.1', port: this.ports.get(id)! },
        seeds,
        replication: { n: 3, w: 2, r: 2 },
        log: { level: 'silent' },
      },
      [
        levelEngine(), // the third-party plugin: ${dataDir}/leveldb
        lwwResolver(),
        ringPartitioner({ partitions: 16 }),
        staticMembership({ pingIntervalMs: 500, pingTimeoutMs: 400, failuresBeforeDown: 5, minTransitionMs: 0 }),
        quorumCoordinator(),
        wsTransport({ secret: SECRET }),
      ],
    );
    await node.start();
    this.nodes.set(id, node);
    return node;
  }

  node(id: NodeId): DynamisNode {
    return this.nodes.get(id)!;
  }

  /** Resolves once every running node sees every running node alive. */
  async settled(): Promise<void> {
    const running = [...this.nodes.keys()];
    await waitFor(
      () => running.every((a) => running.every((b) => this.node(a).resolve(MembershipToken).isAlive(b))),
      'every node to see the others up',
    );
  }

  async stop(id: NodeId): Promise<void> {
    const node = this.nodes.get(id);
    this.nodes.delete(id);
    await node?.stop();
  }

  async stopAll(): Promise<void> {
    for (const id of [...this.nodes.keys()]) await this.stop(id).catch(() => undefined);
  }
}
