import type { Clock, Sibling } from '@dynamis/core';
import { RingPartitioner } from '@dynamis/ring';
import type { FinalState, ReadValue, ReplicaCopy } from './check';
import type { NetnsCluster } from './NetnsCluster';
import { ReplicaProbe, toCopy } from './ReplicaProbe';

const str = (b: Uint8Array): string => new TextDecoder().decode(b);

/**
 * Hints a node holds for other nodes, from its admin `/status`
 * (`stats.hints.pending`: hinted-handoff's pending hints per target; 0 when
 * the node composes no hint store).
 */
export function pendingHints(status: unknown): number {
  const pending = (status as { stats?: { hints?: { pending?: unknown } } }).stats?.hints?.pending;
  if (pending === null || typeof pending !== 'object') return 0;
  return Object.values(pending as Record<string, unknown>).reduce<number>((sum, n) => sum + (typeof n === 'number' ? n : 0), 0);
}

/** Retries `op` every 500 ms until it resolves or `until` (monotonic ms) passes; then rethrows its last error. */
export async function retryUntil<T>(clock: Clock, until: number, op: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await op();
    } catch (err) {
      if (clock.monotonic() > until) throw err;
      await clock.sleep(500);
    }
  }
}

/**
 * Polls every node's admin `/status` until none holds a pending hint, for
 * at most `boundMs`. Resolves `{ ok: false, detail }` at the bound.
 */
export async function waitForHints(
  cluster: NetnsCluster,
  clock: Clock,
  boundMs: number,
  token: string,
): Promise<{ ok: boolean; detail: string }> {
  const until = clock.monotonic() + boundMs;
  let detail = '';
  for (;;) {
    const pending: string[] = [];
    for (const id of cluster.ids) {
      try {
        const res = await fetch(`${cluster.adminUrl(id)}/status`, {
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(5_000),
        });
        const n = pendingHints(await res.json());
        if (n > 0) pending.push(`${id}: ${n}`);
      } catch (err) {
        pending.push(`${id}: status unreadable (${(err as Error).message})`);
      }
    }
    detail = pending.join(', ');
    if (pending.length === 0) return { ok: true, detail };
    if (clock.monotonic() > until) return { ok: false, detail };
    await clock.sleep(1_000);
  }
}

/**
 * Reads every replica's own copy of `keys` (ReplicaProbe), rebuilding the
 * ring from n1's gossip view, until the N replicas of every key agree or
 * `until` passes; then reads every key at R=2 through the nodes in turn
 * (after the replica comparison, so read repair cannot be what made them
 * agree). `convergedAt`: when they agreed (monotonic ms), undefined if not.
 */
export async function readFinalState(
  cluster: NetnsCluster,
  keys: readonly string[],
  clock: Clock,
  until: number,
  secret: string,
  partitions: number,
): Promise<FinalState & { convergedAt?: number }> {
  const probe = await ReplicaProbe.start(secret, cluster.net.hostAddress);
  try {
    for (const id of cluster.ids) probe.setAddress(id, cluster.address(id));
    const members = await retryUntil(clock, until, () => probe.members(cluster.ids[0]!));
    const placement = new RingPartitioner({ partitions }).update(members);
    let replicas = new Map<string, ReplicaCopy[]>();
    let convergedAt: number | undefined;
    for (;;) {
      const held = new Map<string, Sibling[][]>();
      for (const id of cluster.ids) held.set(id, await retryUntil(clock, until, () => probe.read(id, keys)));
      replicas = new Map(
        keys.map((key, i) => [key, placement.preferenceList(key, 3).map((id) => toCopy(id, held.get(id)?.[i] ?? []))] as const),
      );
      if ([...replicas.values()].every((copies) => copies.every((c) => c.record === copies[0]!.record))) {
        convergedAt = clock.monotonic();
        break;
      }
      if (clock.monotonic() > until) break;
      await clock.sleep(1_000);
    }
    const reads = new Map<string, ReadValue | Error>();
    const ids = cluster.ids;
    let turn = 0;
    for (const key of keys) {
      try {
        const r = await retryUntil(clock, clock.monotonic() + 30_000, () =>
          cluster.clients.get(ids[turn++ % ids.length]!)!.get(key, { consistency: 2 }),
        );
        const values = r.values.map(str);
        reads.set(key, values.length === 0 ? null : values.length === 1 ? values[0]! : values);
      } catch (err) {
        reads.set(key, err as Error);
      }
    }
    return { reads, replicas, convergedAt };
  } finally {
    await probe.stop();
  }
}
