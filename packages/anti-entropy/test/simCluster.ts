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
  TransportToken,
  type DynamisNode,
  type Envelope,
  type NodeId,
  type Plugin,
  type RequestOptions,
  type Transport,
} from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { quorumCoordinator } from '@dynamis/quorum';
import { ringPartitioner } from '@dynamis/ring';
import { seedFromEnv, simulatedEnvironment, type Simulation } from '@dynamis/testkit';
import { antiEntropy, type AntiEntropyOptionsInput, type MerkleAntiEntropy } from '../src';
import { FixedMembership, fixedMembership } from './FixedMembership';

export interface ClusterOptions {
  readonly n?: number;
  readonly partitions?: number;
  readonly resolver?: 'lww' | 'vclock';
  readonly antiEntropy?: AntiEntropyOptionsInput;
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

/** The node's SimTransport, counting the v8-serialized bytes of every request it sends and of each reply. */
function countingTransport(sim: Simulation, id: NodeId, counter: { bytes: number }): Plugin {
  const inner = sim.transport(id);
  const proxy = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === 'request') {
        return async (to: NodeId, msg: Envelope, options: RequestOptions): Promise<Envelope> => {
          counter.bytes += envelopeBytes(msg);
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
  const counters = new Map<NodeId, { bytes: number }>();
  for (const id of ids) {
    const counter = { bytes: 0 };
    const plugins: Plugin[] = [
      simulatedEnvironment(sim, id, { transport: false }),
      countingTransport(sim, id, counter),
      memoryEngine(),
      options.resolver === 'vclock' ? vclockResolver() : lwwResolver(),
      ringPartitioner({ partitions: options.partitions ?? 16 }),
      fixedMembership(new FixedMembership(id, members)),
      quorumCoordinator(),
      antiEntropy(options.antiEntropy ?? {}),
    ];
    const node = await createNode({ nodeId: id, log: { level: 'silent' }, replication: { n: options.n ?? 3, w: 1, r: 1 } }, plugins);
    await node.start();
    nodes.set(id, node);
    counters.set(id, counter);
  }
  const node = (id: NodeId): DynamisNode => nodes.get(id)!;

  /** Runs virtual time until `p` settles; resolves or rejects like it. */
  async function run<T>(p: Promise<T>, maxMs = 600_000): Promise<T> {
    let r: { ok: T } | { err: unknown } | undefined;
    p.then(
      (ok) => (r = { ok }),
      (err: unknown) => (r = { err }),
    );
    await sim.runUntil(() => r !== undefined, maxMs);
    if ('err' in r!) throw r.err;
    return r!.ok;
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
    coordinator: (id: NodeId) => node(id).resolve(CoordinatorToken),
    replica: (id: NodeId) => node(id).resolve(ReplicaToken),
    resolver: (id: NodeId) => node(id).resolve(ConflictResolverToken),
    placement: (id: NodeId) => node(id).resolve(PartitionerToken).placement(),
    stop: async () => {
      for (const n of nodes.values()) await n.stop();
    },
  };
}

export type SimCluster = Awaited<ReturnType<typeof simCluster>>;
