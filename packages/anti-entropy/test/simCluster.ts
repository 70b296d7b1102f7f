import { serialize } from 'node:v8';
import { lwwResolver } from '@dynamis/conflict-lww';
import { vclockResolver } from '@dynamis/conflict-vclock';
import {
  AntiEntropyToken,
  ConflictResolverToken,
  CoordinatorToken,
  createNode,
  definePlugin,
  PartitionerToken,
  ReplicaToken,
  StorageEngineToken,
  TransportToken,
  type DynamisNode,
  type Envelope,
  type NodeId,
  type Plugin,
  type RequestOptions,
  type Transport,
} from '@dynamis/core';
import { lsmEngine } from '@dynamis/engine-lsm';
import { memoryEngine } from '@dynamis/engine-memory';
import { quorumCoordinator } from '@dynamis/quorum';
import { ringPartitioner } from '@dynamis/ring';
import { seedFromEnv, simulatedEnvironment, type Simulation, FixedMembership, fixedMembership } from '@dynamis/testkit';
import { antiEntropy, type AntiEntropyOptionsInput, type MerkleAntiEntropy } from '../src';

export interface ClusterOptions {
  readonly n?: number;
  readonly partitions?: number;
  readonly resolver?: 'lww' | 'vclock';
  readonly antiEntropy?: AntiEntropyOptionsInput;
  /** 'memory' (default) or 'lsm' (on the simulated disk, so data survives `restart`). */
  readonly engine?: 'memory' | 'lsm';
  /** tombstones.graceMs of every node (default: the config's). */
  readonly graceMs?: number;
  /** tombstones.maxGraceMs of every node (default: the config's, 10 × graceMs). */
  readonly maxGraceMs?: number;
}

/**
 * The seeds a simulation runs over: DYNAMIS_SEED replays one; DYNAMIS_AE_SEEDS
 * (a count) runs that many instead of `count`.
 */
export function seeds(count: number, base: number): number[] {
  if (process.env['DYNAMIS_SEED']) return [seedFromEnv(0)];
  const more = Number(process.env['DYNAMIS_AE_SEEDS'] ?? count);
  return Array.from({ length: Number.isInteger(more) && more > 0 ? more : count }, (_, i) => base + i);
}

/** Bytes of an envelope as node:v8 serializes it: a measure independent of the package's own accounting. */
export const envelopeBytes = (msg: Envelope): number => serialize({ type: msg.type, payload: msg.payload }).length;

interface Counter {
  bytes: number;
  /** Requests sent, by `${to} ${type}`. */
  readonly requests: Map<string, number>;
}

/** The node's SimTransport, counting the v8-serialized bytes of every request it sends and of each reply. */
function countingTransport(sim: Simulation, id: NodeId, counter: Counter): Plugin {
  const inner = sim.transport(id);
  const proxy = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'request') {
        return async (to: NodeId, msg: Envelope, options: RequestOptions): Promise<Envelope> => {
          counter.bytes += envelopeBytes(msg);
          counter.requests.set(`${to} ${msg.type}`, (counter.requests.get(`${to} ${msg.type}`) ?? 0) + 1);
          const reply = await target.request(to, msg, options);
          counter.bytes += envelopeBytes(reply);
          return reply;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  }) as Transport;
  return definePlugin({
    name: `test:counting-transport(${id})`,
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Transport'],
    needs: [],
    register: ({ bind }) => void bind(TransportToken).toConstantValue(proxy),
  });
}

/** One node per `sim.nodeIds()`: quorum coordinator, ring, fixed membership, memory engine and anti-entropy. */
export async function simCluster(sim: Simulation, options: ClusterOptions = {}) {
  const ids = sim.nodeIds();
  const members = ids.map((id) => ({ id, address: id, status: 'up' as const }));
  const nodes = new Map<NodeId, DynamisNode>();
  const counters = new Map<NodeId, Counter>();
  const views = new Map<NodeId, FixedMembership>();
  const compose = async (id: NodeId): Promise<DynamisNode> => {
    const counter = counters.get(id) ?? { bytes: 0, requests: new Map<string, number>() };
    const view = views.get(id) ?? new FixedMembership(id, members);
    views.set(id, view);
    counters.set(id, counter);
    const plugins: Plugin[] = [
      simulatedEnvironment(sim, id, { transport: false }),
      countingTransport(sim, id, counter),
      options.engine === 'lsm' ? lsmEngine() : memoryEngine(),
      options.resolver === 'vclock' ? vclockResolver() : lwwResolver(),
      ringPartitioner({ partitions: options.partitions ?? 16 }),
      fixedMembership(view),
      quorumCoordinator(),
      antiEntropy(options.antiEntropy ?? {}),
    ];
    const config = {
      nodeId: id,
      dataDir: `/data/${id}`,
      log: { level: 'silent' as const },
      replication: { n: options.n ?? 3, w: 1, r: 1 },
      tombstones: {
        ...(options.graceMs === undefined ? {} : { graceMs: options.graceMs }),
        ...(options.maxGraceMs === undefined ? {} : { maxGraceMs: options.maxGraceMs }),
      },
    };
    const node = await createNode(config, plugins);
    await node.start();
    nodes.set(id, node);
    return node;
  };
  for (const id of ids) await compose(id);
  const node = (id: NodeId): DynamisNode => nodes.get(id)!;

  /** Runs virtual time until `p` settles; resolves or rejects like it. */
  function run<T>(p: Promise<T>, maxMs = 600_000): Promise<T> {
    return sim.settle(p, maxMs);
  }

  const ae = (id: NodeId) => node(id).resolve(AntiEntropyToken) as MerkleAntiEntropy;
  await run(Promise.all(ids.map((id) => ae(id).whenReady())));
  return {
    sim,
    ids,
    node,
    run,
    ae,
    /** v8-serialized bytes of the requests `id` sent and their replies, so far. */
    bytesSentBy: (id: NodeId) => counters.get(id)!.bytes,
    /** Requests of `type` that `from` sent to `to`, so far. */
    requests: (from: NodeId, to: NodeId, type: string) => counters.get(from)!.requests.get(`${to} ${type}`) ?? 0,
    /** `id`'s membership view (setAlive marks peers up or down there). */
    view: (id: NodeId) => views.get(id)!,
    coordinator: (id: NodeId) => node(id).resolve(CoordinatorToken),
    replica: (id: NodeId) => node(id).resolve(ReplicaToken),
    engine: (id: NodeId) => node(id).resolve(StorageEngineToken),
    resolver: (id: NodeId) => node(id).resolve(ConflictResolverToken),
    placement: (id: NodeId) => node(id).resolve(PartitionerToken).placement(),
    /** Crashes `id` and composes it again over its disk (its anti-entropy then rebuilds its trees). */
    restart: async (id: NodeId): Promise<void> => {
      sim.crashNode(id);
      await sim.restartNode(id, () => run(compose(id)));
    },
    stop: async () => {
      for (const [id, n] of nodes) if (!sim.isCrashed(id)) await n.stop();
    },
  };
}

export type SimCluster = Awaited<ReturnType<typeof simCluster>>;
