import { describe, expect, it } from '@jest/globals';
import { lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import {
  ClockToken,
  ConfigToken,
  ConflictResolverToken,
  createNode,
  definePlugin,
  MessageRouterToken,
  RandomToken,
  ReplicaToken,
  TransportToken,
  type Clock,
  type ConflictResolver,
  type DynamisConfig,
  type DynamisNode,
  type Lifecycle,
  type MessageRouter,
  type Random,
  type Replica,
  type Timer,
  type Transport,
} from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { runSimulation, Simulation, simulatedEnvironment } from '../src';

const CopyToken = Symbol.for('test.Copier');
const copySchema = z.object({ key: z.string(), value: z.instanceof(Uint8Array) });

/**
 * A background service for this test only: every 10 virtual ms it writes a
 * random key locally and copies it to a random peer over the transport, which
 * applies it through the kernel's router and replica. It exercises every
 * source of nondeterminism a real plugin has: timers, randomness, messages.
 */
@injectable()
class Copier implements Lifecycle {
  private timer: Timer | undefined;
  private peers: string[] = [];
  constructor(
    @inject(ConfigToken) private readonly config: DynamisConfig,
    @inject(ClockToken) private readonly clock: Clock,
    @inject(RandomToken) private readonly random: Random,
    @inject(TransportToken) private readonly transport: Transport,
    @inject(MessageRouterToken) private readonly router: MessageRouter,
    @inject(ReplicaToken) private readonly replica: Replica,
    @inject(ConflictResolverToken) private readonly resolver: ConflictResolver,
  ) {}
  setPeers(peers: string[]): void {
    this.peers = peers.filter((p) => p !== this.config.nodeId);
  }
  async start(): Promise<void> {
    this.router.register(
      'test.copy',
      copySchema,
      async (_from, { key, value }) => {
        // Replica.apply validates incoming versions: stamp a real one.
        const version = this.resolver.stamp(this.config.nodeId, undefined, [], this.clock.now());
        await this.replica.apply(key, [{ version, value, writtenAt: this.clock.now() }]);
        return { type: 'test.copy.ok', payload: null };
      },
      'test/copier',
    );
    this.tick();
  }
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.router.unregister('test.copy');
  }
  private tick(): void {
    this.timer = this.clock.setTimer(10, () => {
      const key = `k${this.random.int(20)}`;
      const value = Buffer.alloc(1 + this.random.int(8), this.config.nodeId);
      const peer = this.peers[this.random.int(this.peers.length)]!;
      this.transport.request(peer, { type: 'test.copy', payload: { key, value } }, { timeoutMs: 50 }).catch(() => undefined);
      this.tick();
    });
  }
}

const copier = definePlugin({
  name: 'test/copier',
  version: '1.0.0',
  core: '^0.1.0',
  provides: [],
  needs: ['Transport', 'Replica', 'Clock', 'Random', 'MessageRouter', 'Config', 'ConflictResolver'],
  background: [CopyToken],
  register: ({ bind }) => {
    bind(CopyToken).to(Copier).inSingletonScope();
  },
});

async function runCluster(seed: number): Promise<{ digest: string; data: string[] }> {
  const ids = ['n1', 'n2', 'n3', 'n4'];
  const sim = new Simulation({ seed, nodes: ids, network: { dropProbability: 0.1, duplicateProbability: 0.05, reorderProbability: 0.1 } });
  const nodes: DynamisNode[] = [];
  for (const id of ids) {
    const node = await createNode({ nodeId: id, log: { level: 'silent' } }, [
      simulatedEnvironment(sim, id),
      memoryEngine(),
      lwwResolver(),
      localCoordinator(),
      copier,
    ]);
    nodes.push(node);
  }
  for (const node of nodes) {
    node.resolve<Copier>(CopyToken).setPeers(ids);
    await node.start();
  }
  await sim.runFor(2_000);
  const data: string[] = [];
  for (const node of nodes) {
    for await (const [key, siblings] of node.resolve(ReplicaToken).scan()) {
      data.push(`${node.config.nodeId}/${key}=${siblings.map((s) => Buffer.from(s.value!).toString()).join('|')}`);
    }
    await node.stop();
  }
  return { digest: sim.traceDigest(), data };
}

describe('simulation harness with real nodes', () => {
  it('runs K composed nodes; the same seed gives the same trace and data, another seed a different trace', async () => {
    const a = await runCluster(42);
    const b = await runCluster(42);
    const c = await runCluster(43);
    expect(a.data.length).toBeGreaterThan(20);
    expect(b.digest).toBe(a.digest);
    expect(b.data).toEqual(a.data);
    expect(c.digest).not.toBe(a.digest);
  });

  it('reports the seed to replay a failure', async () => {
    await expect(
      runSimulation(7, async (sim) => {
        await sim.runFor(5);
        throw new Error('invariant broken');
      }),
    ).rejects.toThrow(/seed 7.*DYNAMIS_SEED=7[\s\S]*invariant broken/);
  });
});
