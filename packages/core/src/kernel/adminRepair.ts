import { DynamisError } from '../errors/DynamisError';
import type { AntiEntropy } from '../ports/AntiEntropy';
import type { Membership } from '../ports/Membership';
import type { Partitioner, PartitionId } from '../ports/Partitioner';
import type { NodeId } from '../ports/types';
import { ADMIN_REPAIR_MAX_FAILURES, type AdminRepair } from './adminProtocol';

/** What a repair round runs over. */
export interface RepairRoundSources {
  readonly self: NodeId;
  readonly n: number;
  readonly antiEntropy: AntiEntropy;
  readonly partitioner: Partitioner;
  readonly membership?: Membership;
}

/**
 * One anti-entropy round on request (`dynamis repair`): for `partition`, or
 * every partition of the current placement whose first `n` replicas include
 * this node, `antiEntropy.exchange(peer, partition)` with each other replica,
 * one exchange at a time, in partition then preference order. Peers the
 * membership believes down are skipped (counted); a failed exchange is
 * counted and listed (up to ADMIN_REPAIR_MAX_FAILURES) and the round goes
 * on. INVALID_ARGUMENT for a partition outside [0, Q) or one this node does
 * not replicate.
 */
export async function repairRound(s: RepairRoundSources, partition: PartitionId | undefined): Promise<AdminRepair> {
  const placement = s.partitioner.placement();
  if (partition !== undefined && !(partition < placement.partitionCount)) {
    throw new DynamisError('INVALID_ARGUMENT', `partition ${partition} is not below Q = ${placement.partitionCount}`, {
      details: { partition, partitionCount: placement.partitionCount },
    });
  }
  const ids = partition === undefined ? placement.partitions.map((p) => p.id) : [partition];
  const out = { nodeId: s.self, exchanged: 0, skipped: 0, failed: 0, nodesCompared: 0, keysSent: 0, keysReceived: 0, bytesTransferred: 0 };
  const failures: AdminRepair['failures'] = [];
  let replicated = false;
  for (const id of ids) {
    const prefs = placement.preferenceList(id, s.n);
    if (!prefs.includes(s.self)) continue;
    replicated = true;
    for (const peer of prefs) {
      if (peer === s.self) continue;
      if (s.membership !== undefined && !s.membership.isAlive(peer)) {
        out.skipped++;
        continue;
      }
      try {
        const r = await s.antiEntropy.exchange(peer, id);
        out.exchanged++;
        out.nodesCompared += r.nodesCompared;
        out.keysSent += r.keysSent;
        out.keysReceived += r.keysReceived;
        out.bytesTransferred += r.bytesTransferred;
      } catch (err) {
        out.failed++;
        const e = err as Error & { code?: string };
        if (failures.length < ADMIN_REPAIR_MAX_FAILURES)
          failures.push({ partition: id, peer, code: e.code ?? 'ERROR', message: e.message });
      }
    }
  }
  if (partition !== undefined && !replicated) {
    throw new DynamisError('INVALID_ARGUMENT', `node ${s.self} does not replicate partition ${partition}: ask one of its replicas`, {
      details: { partition, replicas: [...placement.preferenceList(partition, s.n)] },
    });
  }
  return { ...out, failures };
}
