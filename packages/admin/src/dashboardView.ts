import type { HintStore, Membership, Partitioner, Placement, RebalanceProgress, Rebalancer } from '@dynamis/core';

/** A member as the dashboard shows it: the membership status refined by the failure detector's suspicion. */
export interface MemberRow {
  readonly id: string;
  readonly address: string;
  /** up | suspect | down | joining | leaving | left: `suspect` when gossip suspects a member still published up. */
  readonly state: string;
  /** The member's gossip incarnation, when the Membership exposes gossip entries (@dynamis/gossip). */
  readonly incarnation?: number;
}

/** The ring: Q equal partitions, each owned by the first node of its preference list. */
export interface RingView {
  readonly hash: string;
  readonly partitions: number;
  /** The placement's nodes, sorted by id; `owners` indexes into it. */
  readonly nodes: readonly string[];
  /** Per partition: the index in `nodes` of its owner, -1 for none. */
  readonly owners: readonly number[];
  /** Per partition: 1 when this node is one of its N replicas, else 0. */
  readonly mine: readonly number[];
}

/** Hinted handoff as the dashboard shows it (HintStore.stats()). */
export interface HintsView {
  readonly pending: Readonly<Record<string, number>>;
  readonly total: number;
  readonly delivered: number;
  readonly dropped: number;
}

/** Anti-entropy progress (from the AntiEntropy's stats(), @dynamis/anti-entropy's field names). */
export interface AntiEntropyView {
  readonly rounds: number;
  readonly failedRounds: number;
  readonly keysRepaired: number;
  readonly bytes: number;
}

/** The ports the dashboard reads (each optional but the node id and N). */
export interface DashboardSources {
  readonly nodeId: string;
  readonly replicas: number;
  readonly membership?: Membership;
  readonly partitioner?: Partitioner;
  readonly hints?: HintStore;
  readonly antiEntropy?: unknown;
  readonly rebalancer?: Rebalancer;
}

/** The per-port part of a dashboard snapshot; a port absent or not ready leaves its field out. */
export interface NodePanels {
  readonly members: readonly MemberRow[];
  readonly ring?: RingView;
  readonly hints?: HintsView;
  readonly antiEntropy?: AntiEntropyView;
  readonly rebalance?: RebalanceProgress;
}

interface GossipEntryLike {
  readonly status: string;
  readonly incarnation: number;
}

function gossipEntry(membership: Membership, id: string): GossipEntryLike | undefined {
  const entry = (membership as { entry?: unknown }).entry;
  if (typeof entry !== 'function') return undefined;
  const e = (entry as (id: string) => unknown).call(membership, id) as Partial<GossipEntryLike> | undefined;
  return typeof e?.status === 'string' && typeof e.incarnation === 'number' ? (e as GossipEntryLike) : undefined;
}

function membersOf(src: DashboardSources): MemberRow[] {
  if (src.membership === undefined) return [{ id: src.nodeId, address: '', state: 'up' }];
  const rows = src.membership.members().map((m): MemberRow => {
    const e = gossipEntry(src.membership!, m.id);
    const state = m.status === 'up' && e?.status === 'suspect' ? 'suspect' : m.status;
    return { id: m.id, address: m.address, state, ...(e === undefined ? {} : { incarnation: e.incarnation }) };
  });
  return rows.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The ring of `placement` for `n` replicas as seen by `self`. Pure. */
export function ringOf(placement: Placement, n: number, self: string): RingView {
  const nodes = [...placement.nodes];
  const index = new Map(nodes.map((id, i) => [id, i]));
  const owners: number[] = [];
  const mine: number[] = [];
  for (const p of placement.partitions) {
    const list = placement.preferenceList(p.id, n);
    owners.push(list[0] === undefined ? -1 : (index.get(list[0]) ?? -1));
    mine.push(list.includes(self) ? 1 : 0);
  }
  return { hash: placement.hash, partitions: placement.partitionCount, nodes, owners, mine };
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

function antiEntropyOf(source: unknown): AntiEntropyView | undefined {
  const fn = (source as { stats?: unknown } | undefined)?.stats;
  if (typeof fn !== 'function') return undefined;
  const s = (fn as () => Record<string, unknown>).call(source);
  return {
    rounds: num(s['exchanges']),
    failedRounds: num(s['failedExchanges']),
    keysRepaired: num(s['keysSent']) + num(s['keysReceived']),
    bytes: num(s['bytesTransferred']),
  };
}

/** Runs `read`, leaving the panel out when the port throws (not open yet, stopping). */
function attempt<T>(read: () => T | undefined): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/**
 * Reads every bound port once; never throws. The ring is rebuilt only when
 * the placement's hash changes (`previous` is the last one returned).
 */
export function readPanels(src: DashboardSources, previous: RingView | undefined): NodePanels {
  const members = attempt(() => membersOf(src)) ?? [];
  const ring = attempt(() => {
    const placement = src.partitioner?.placement();
    if (placement === undefined) return undefined;
    return previous?.hash === placement.hash ? previous : ringOf(placement, src.replicas, src.nodeId);
  });
  const hints = attempt((): HintsView | undefined => {
    const s = src.hints?.stats();
    if (s === undefined) return undefined;
    const total = Object.values(s.pending).reduce((a, b) => a + b, 0);
    return { pending: { ...s.pending }, total, delivered: s.delivered, dropped: s.dropped };
  });
  const antiEntropy = attempt(() => antiEntropyOf(src.antiEntropy));
  const rebalance = attempt(() => src.rebalancer?.progress());
  return {
    members,
    ...(ring === undefined ? {} : { ring }),
    ...(hints === undefined ? {} : { hints }),
    ...(antiEntropy === undefined ? {} : { antiEntropy }),
    ...(rebalance === undefined ? {} : { rebalance: { ...rebalance } }),
  };
}
