import { antiEntropy, type AntiEntropyOptionsInput, type MerkleAntiEntropy } from '@dynamis/anti-entropy';
import { lwwResolver } from '@dynamis/conflict-lww';
import { vclockResolver } from '@dynamis/conflict-vclock';
import {
  AntiEntropyToken,
  ConflictResolverToken,
  CoordinatorToken,
  createNode,
  definePlugin,
  dataKey,
  HintStoreToken,
  MembershipToken,
  PartitionerToken,
  PeerRpcToken,
  partitionOfKey,
  RebalancerToken,
  ReplicaToken,
  StorageEngineToken,
  TransportToken,
  type DynamisNode,
  type NodeId,
  type Plugin,
} from '@dynamis/core';
import { memoryEngine } from '@dynamis/engine-memory';
import { gossipMembership, type GossipOptionsInput } from '@dynamis/gossip';
import { hintedHandoff } from '@dynamis/hinted-handoff';
import { quorumCoordinator } from '@dynamis/quorum';
import { rebalance, type RebalanceOptionsInput } from '@dynamis/rebalance';
import { ringPartitioner } from '@dynamis/ring';
import { fixedMembership, FixedMembership, simulatedEnvironment, Simulation } from '@dynamis/testkit';
import { pullPartition } from '../../rebalance/src/pullPartition';
import { HostileTransport } from '../src';

export const PARTITIONS = 16;

export interface HostileClusterOptions {
  readonly seed: number;
  readonly resolver?: 'lww' | 'vclock';
  /** 'fixed' (default: a FixedMembership per node) or 'gossip' (the real protocol, seeds n1). */
  readonly membership?: 'fixed' | 'gossip';
  /** Per-node clock skew (ms) at creation. */
  readonly skewMs?: Readonly<Record<NodeId, number>>;
  readonly rebalance?: RebalanceOptionsInput;
  readonly antiEntropy?: AntiEntropyOptionsInput;
  readonly gossip?: GossipOptionsInput;
  /** maxSkewMs of LWW (default the plugin's). */
  readonly maxSkewMs?: number;
}

/** The node ids: n1 and n2 are honest, n3 is the compromised one (its transport is a HostileTransport). */
export const HONEST = ['n1', 'n2'] as const;
export const EVIL = 'n3';

/**
 * A live 3-node cluster in one Simulation (N=3, W=R=2, Q=16): memory
 * engines, ring, quorum with sloppy quorum, hinted handoff, Merkle
 * anti-entropy, rebalance, LWW or vclock, fixed or gossip membership. n3
 * runs the same honest code over a HostileTransport, which the test turns
 * hostile message type by message type (or uses to inject anything as n3).
 */
export async function hostileCluster(options: HostileClusterOptions) {
  const ids = ['n1', 'n2', 'n3'];
  const sim = new Simulation({ seed: options.seed, nodes: [], trace: false });
  for (const id of ids) sim.addNode(id, options.skewMs?.[id] ?? 0);
  const evil = new HostileTransport(sim.transport(EVIL));
  const nodes = new Map<NodeId, DynamisNode>();
  const views = new Map<NodeId, FixedMembership>();

  const compose = async (id: NodeId, members: readonly NodeId[]): Promise<DynamisNode> => {
    const membership =
      options.membership === 'gossip'
        ? gossipMembership({ gossipIntervalMs: 200, ...options.gossip })
        : fixedMembership(viewOf(id, members));
    const plugins: Plugin[] = [
      simulatedEnvironment(sim, id, { transport: id !== EVIL }),
      ...(id === EVIL ? [transportPlugin(evil)] : []),
      memoryEngine(),
      options.resolver === 'vclock'
        ? vclockResolver()
        : lwwResolver(options.maxSkewMs === undefined ? {} : { maxSkewMs: options.maxSkewMs }),
      ringPartitioner({ partitions: PARTITIONS }),
      membership,
      quorumCoordinator(),
      hintedHandoff({ checkIntervalMs: 500 }),
      antiEntropy({ intervalMs: 5_000, ...options.antiEntropy }),
      rebalance({ announceIntervalMs: 500, ...options.rebalance }),
    ];
    const config = {
      nodeId: id,
      dataDir: `/data/${id}`,
      log: { level: 'info' as const },
      ...(options.membership === 'gossip' ? { seeds: id === 'n1' ? [] : ['n1@10.0.0.1:7070'] } : {}),
      replication: { n: 3, w: 2, r: 2, sloppyQuorum: true },
    };
    const node = await createNode(config, plugins);
    await sim.settle(node.start());
    nodes.set(id, node);
    return node;
  };
  const viewOf = (id: NodeId, members: readonly NodeId[]): FixedMembership => {
    const view = new FixedMembership(
      id,
      members.map((m) => ({ id: m, address: m, status: 'up' as const })),
    );
    views.set(id, view);
    return view;
  };
  for (const id of ids) await compose(id, ids);
  const node = (id: NodeId): DynamisNode => nodes.get(id)!;
  const placement = (id: NodeId) => node(id).resolve(PartitionerToken).placement();
  const c = {
    sim,
    ids,
    evil,
    node,
    placement,
    /** Runs virtual time until `p` settles (rejects like it; TIMEOUT after `maxMs` of virtual time). */
    run: <T>(p: Promise<T>, maxMs = 120_000): Promise<T> => sim.settle(p, maxMs),
    coordinator: (id: NodeId) => node(id).resolve(CoordinatorToken),
    replica: (id: NodeId) => node(id).resolve(ReplicaToken),
    engine: (id: NodeId) => node(id).resolve(StorageEngineToken),
    resolver: (id: NodeId) => node(id).resolve(ConflictResolverToken),
    membership: (id: NodeId) => node(id).resolve(MembershipToken),
    hints: (id: NodeId) => node(id).resolve(HintStoreToken),
    ae: (id: NodeId) => node(id).resolve(AntiEntropyToken) as MerkleAntiEntropy,
    rebalancer: (id: NodeId) => node(id).resolve(RebalancerToken),
    view: (id: NodeId) => views.get(id)!,
    /** `id`'s log lines (SimLog). */
    log: (id: NodeId) => sim.log(id).lines(),
    /** Adds honest node `id` (fixed membership only), known to every node. */
    join: async (id: NodeId): Promise<void> => {
      sim.addNode(id);
      const members = [...ids, id];
      await compose(id, members);
      for (const other of ids) views.get(other)!.add({ id, address: id, status: 'up' });
      ids.push(id);
    },
    /** The raw engine bytes of `key`'s record on `id` (the engine itself, not the replica layer), or undefined. */
    rawRecord: (id: NodeId, key: string) =>
      node(id)
        .resolve(StorageEngineToken)
        .get(dataKey(partitionOfKey(key, PARTITIONS), key)),
    /**
     * The cluster serves: a put through `via` (n1 by default) is acknowledged
     * and a quorum get returns it.
     */
    serves: async (key: string, via: NodeId = 'n1'): Promise<void> => {
      const value = Buffer.from(`ok-${key}-${sim.now()}`);
      await c.run(c.coordinator(via).put(key, value, {}));
      const read = await c.run(c.coordinator(via).get(key, {}));
      if (!read.siblings.some((s) => s.value !== null && Buffer.compare(Buffer.from(s.value), value) === 0)) {
        throw new Error(`the cluster did not serve ${key} through ${via}`);
      }
    },
    stop: async (): Promise<void> => {
      for (const n of nodes.values()) await n.stop();
    },
  };
  return c;
}

export type HostileCluster = Awaited<ReturnType<typeof hostileCluster>>;

function transportPlugin(t: HostileTransport): Plugin {
  return definePlugin({
    name: `chaos:hostile-transport(${t.self})`,
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Transport'],
    needs: [],
    register: ({ bind }) => void bind(TransportToken).toConstantValue(t),
  });
}

/** `count` keys of partition `p`. */
export function keysOf(p: number, count: number, prefix = 'x'): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) if (partitionOfKey(`${prefix}${i}`, PARTITIONS) === p) out.push(`${prefix}${i}`);
  return out;
}

/** `id` pulls partition `p` from n3 as its rebalancer would (pullPartition), with a `maxStreamMs` deadline. */
export function pullFrom(cl: HostileCluster, id: NodeId, p: number, maxStreamMs = 60_000): Promise<void> {
  return pullPartition(
    {
      rpc: cl.node(id).resolve(PeerRpcToken),
      replica: cl.replica(id),
      partitionCount: PARTITIONS,
      maxKeys: 64,
      maxBytes: 1024 * 1024,
      timeoutMs: 5_000,
      maxStreamMs,
      clock: cl.sim.clock(id),
      cancelled: () => false,
      progress: () => undefined,
    },
    p,
    EVIL,
  );
}

/** A key `id` does not replicate (so it may hold hints for it) whose primaries include n2: a hint for n2 of it passes admission. Needs 4+ nodes. */
export function hintableKey(cl: HostileCluster, id: NodeId): string {
  const p = cl.placement(id);
  for (let i = 0; i < 100_000; i++) {
    const prefs = p.preferenceList(partitionOfKey(`h${i}`, PARTITIONS), 3);
    if (!prefs.includes(id) && prefs.includes('n2')) return `h${i}`;
  }
  throw new Error('no hintable key');
}
