import type { Membership, MemberStatus, StorageEngine } from '@dynamis/core';

/** The ports the admin endpoint reads, each at scrape time; all but the engine optional. */
export interface AdminSources {
  readonly nodeId: string;
  readonly engine: StorageEngine;
  /** Anything with a stats() method is read (QuorumCoordinator, WsTransport, MerkleAntiEntropy, GossipMembership do). */
  readonly coordinator?: unknown;
  readonly transport?: unknown;
  readonly hints?: unknown;
  readonly antiEntropy?: unknown;
  readonly membership?: Membership;
}

/** What /status returns and /metrics is built from. */
export interface NodeSnapshot {
  readonly node: string;
  /** Stats snapshots by source name; a source whose stats() threw is left out and named in `errors`. */
  readonly stats: Record<string, unknown>;
  readonly errors: Record<string, string>;
  /** Members of this node's view per status; absent without a Membership. */
  readonly members?: Record<MemberStatus, number>;
}

function statsOf(source: unknown): unknown {
  const fn = (source as { stats?: unknown } | undefined)?.stats;
  return typeof fn === 'function' ? (fn as () => unknown).call(source) : undefined;
}

/**
 * Reads every bound source once. Never throws: a stats() that throws (an
 * engine not open rejects NOT_OPEN) is reported in `errors` under its name.
 */
export function snapshotNode(src: AdminSources): NodeSnapshot {
  const stats: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const named: [string, unknown][] = [
    ['engine', src.engine],
    ['coordinator', src.coordinator],
    ['transport', src.transport],
    ['hints', src.hints],
    ['anti_entropy', src.antiEntropy],
    ['membership', src.membership],
  ];
  for (const [name, source] of named) {
    if (source === undefined) continue;
    try {
      const s = statsOf(source);
      if (s !== undefined) stats[name] = s;
    } catch (err) {
      errors[name] = (err as Error).message;
    }
  }
  if (src.membership === undefined) return { node: src.nodeId, stats, errors };
  const members: Record<MemberStatus, number> = { joining: 0, up: 0, down: 0, leaving: 0, left: 0 };
  try {
    for (const m of src.membership.members()) members[m.status]++;
  } catch (err) {
    errors['members'] = (err as Error).message;
  }
  return { node: src.nodeId, stats, errors, members };
}
