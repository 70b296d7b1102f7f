import { describe, expect, it } from '@jest/globals';
import { decodeHlc, LwwResolver, lwwResolver } from '@dynamis/conflict-lww';
import { localCoordinator } from '@dynamis/coordinator-local';
import {
  asVersion,
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
  type Sibling,
  type Timer,
  type Transport,
} from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { inject, injectable } from 'inversify';
import { z } from 'zod';
import { runSimulation, Simulation, simulatedEnvironment, type TraceRecord } from '../src';

/** A fresh LWW resolver, to check the versions the nodes hold. */
const resolver = (): LwwResolver => new LwwResolver({ maxSkewMs: 60_000 });

const CopyToken = Symbol.for('test.Copier');
const copySchema = z.object({
  id: z.string(),
  key: z.string(),
  version: z.instanceof(Uint8Array),
  value: z.instanceof(Uint8Array),
  writtenAt: z.number(),
});

/** A sibling as one node came to know it: written there, or delivered in a copy message `id` (`${sender}#${n}`). */
interface Known {
  readonly key: string;
  readonly sibling: Sibling;
  readonly id: string;
}

/**
 * A background service for this test only: every 10 virtual ms it writes a
 * random key locally, with a version stamped by the node's conflict
 * resolver (LWW), and sends a copy to a random peer as a datagram (so the
 * network may drop, duplicate and reorder it); a node that receives a copy
 * validates its version with its resolver and applies it through the
 * kernel's router and replica. It exercises every source of nondeterminism
 * a real plugin has: timers, randomness, messages. It records what it wrote
 * and what was delivered to it, in order.
 */
@injectable()
class Copier implements Lifecycle {
  readonly written: Known[] = [];
  readonly delivered: Known[] = [];
  private timer: Timer | undefined;
  private peers: string[] = [];
  private sent = 0;
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
      async (_from, { id, key, version, value, writtenAt }) => {
        const v = asVersion(version);
        this.resolver.validate(v, this.clock.now());
        const sibling: Sibling = { version: v, value, writtenAt };
        this.delivered.push({ key, sibling, id });
        await this.replica.apply(key, [sibling]);
      },
      'test/copier',
    );
    this.tick();
  }
  /** Stops writing (messages already sent may still arrive). */
  quiesce(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }
  async stop(): Promise<void> {
    this.quiesce();
    this.router.unregister('test.copy');
  }
  private tick(): void {
    this.timer = this.clock.setTimer(10, () => {
      const self = this.config.nodeId;
      const key = `k${this.random.int(20)}`;
      const value = Buffer.alloc(1 + this.random.int(8), self);
      const peer = this.peers[this.random.int(this.peers.length)]!;
      const id = `${self}#${++this.sent}`;
      void this.replica
        .update(key, (stored) => {
          const sibling: Sibling = {
            version: this.resolver.stamp(self, undefined, stored, this.clock.now()),
            value,
            writtenAt: this.clock.now(),
          };
          this.written.push({ key, sibling, id });
          return [sibling];
        })
        .then(() => {
          const { version, writtenAt } = this.written.at(-1)!.sibling;
          this.transport.send(peer, { type: 'test.copy', payload: { id, key, version, value, writtenAt } });
        });
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

/** One node at the end: what it holds (key → siblings) and what it wrote and was delivered. */
interface NodeRun {
  readonly id: string;
  readonly held: Map<string, Sibling[]>;
  readonly written: Known[];
  readonly delivered: Known[];
}

interface ClusterRun {
  readonly digest: string;
  readonly trace: readonly TraceRecord[];
  /** `${node}/${key}=${value}@${version hex}`, node by node, in scan order. */
  readonly data: string[];
  readonly nodes: NodeRun[];
  /** Wall-clock time of the nodes at the end (virtual; no skew). */
  readonly now: number;
}

async function runCluster(seed: number): Promise<ClusterRun> {
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
  for (const node of nodes) node.resolve<Copier>(CopyToken).quiesce();
  await sim.runFor(500); // every copy in flight lands (or is lost) by then
  const data: string[] = [];
  const runs: NodeRun[] = [];
  for (const node of nodes) {
    const held = new Map<string, Sibling[]>();
    for await (const [key, siblings] of node.resolve(ReplicaToken).scan()) {
      held.set(key, siblings);
      for (const s of siblings)
        data.push(`${node.config.nodeId}/${key}=${Buffer.from(s.value!).toString()}@${Buffer.from(s.version).toString('hex')}`);
    }
    const c = node.resolve<Copier>(CopyToken);
    runs.push({ id: node.config.nodeId, held, written: c.written, delivered: c.delivered });
    await node.stop();
  }
  return { digest: sim.traceDigest(), trace: sim.trace, data, nodes: runs, now: sim.clock('n1').now() };
}

/** What a node must hold by the LWW rule: per key, the sibling with the highest version (byte order) it wrote or was delivered. */
function lwwModel(run: NodeRun): Map<string, Sibling[]> {
  const model = new Map<string, Sibling[]>();
  for (const { key, sibling } of [...run.written, ...run.delivered]) {
    const best = model.get(key)?.[0];
    if (best === undefined || Buffer.compare(sibling.version, best.version) > 0) model.set(key, [sibling]);
  }
  return model;
}

/** Per directed link: was some copy delivered after one sent later on the same link? */
function reordered(runs: readonly NodeRun[]): boolean {
  for (const run of runs) {
    const last = new Map<string, number>();
    for (const { id } of run.delivered) {
      const [from, n] = id.split('#') as [string, string];
      if (Number(n) < (last.get(from) ?? 0)) return true;
      last.set(from, Math.max(Number(n), last.get(from) ?? 0));
    }
  }
  return false;
}

describe('simulation harness with real nodes', () => {
  it('every node ends holding what LWW makes of the copies delivered to it, through drops, duplicates and reordering', async () => {
    const run = await runCluster(42);
    const lww = resolver();
    for (const node of run.nodes) {
      expect(node.written.length).toBeGreaterThan(150); // one write per 10 ms for 2 s
      expect(node.delivered.length).toBeGreaterThan(100);
      expect(node.held).toEqual(lwwModel(node));
      for (const siblings of node.held.values()) {
        for (const s of siblings) {
          lww.validate(s.version, run.now); // a well-formed LWW version, not ahead of the clock
          expect(['n1', 'n2', 'n3', 'n4']).toContain(decodeHlc(s.version).writer);
        }
      }
    }
    // The faults happened, to these very messages, and were absorbed.
    const copies = run.trace.filter((r) => r.type === 'test.copy');
    expect(copies.some((r) => r.ev === 'drop')).toBe(true);
    expect(copies.some((r) => r.ev === 'dup')).toBe(true);
    const sentIds = new Set(run.nodes.flatMap((n) => n.written.map((w) => w.id)));
    const deliveredIds = run.nodes.flatMap((n) => n.delivered.map((d) => d.id));
    expect(new Set(deliveredIds).size).toBeLessThan(sentIds.size); // some copies were lost
    expect(new Set(deliveredIds).size).toBeLessThan(deliveredIds.length); // some were delivered twice
    expect(reordered(run.nodes)).toBe(true); // some overtook an earlier one on the same link
  });

  it('the same seed gives the same trace and data, another seed a different trace', async () => {
    const a = await runCluster(42);
    const b = await runCluster(42);
    const c = await runCluster(43);
    expect(a.data.length).toBe(4 * 20); // every node holds every key (20 keys, each written locally by then)
    expect(b.digest).toBe(a.digest);
    expect(b.data).toEqual(a.data);
    expect(c.digest).not.toBe(a.digest);
    expect(c.data).not.toEqual(a.data);
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
