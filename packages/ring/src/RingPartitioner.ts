import { DynamisError, parseWithSchema, type Member, type NodeId, type Partitioner, type Placement } from '@dynamis/core';
import { foldClaim, type Claim } from './foldClaim';
import { ringOptionsSchema, type ResolvedRingOptions, type RingOptions } from './options';
import { claimOrder, type RingNode } from './ringNode';
import { RingPlacement } from './RingPlacement';

/**
 * Riak-style ring Partitioner: Q equal partitions claimed by nodes. Every
 * placement is a pure function of the member set (ids, weights, zones; not
 * the order of the list, nor the updates before it), so two nodes that saw
 * members arrive in different orders agree (same Placement.hash): see
 * foldClaim. Not safe for concurrent update() calls; placement() is always
 * safe.
 */
export class RingPartitioner implements Partitioner {
  private readonly options: ResolvedRingOptions;
  private current: RingPlacement;
  /** The claim behind `current`, reused by the next update when its nodes are a prefix of the new ones. */
  private claim: Claim = { nodes: [], owners: [] };

  /** Throws INVALID_CONFIG on bad options. */
  constructor(options: RingOptions = {}) {
    this.options = parseWithSchema(ringOptionsSchema, options, 'options of @dynamis/ring');
    this.current = new RingPlacement(this.options.partitions, [], new Map());
  }

  placement(): Placement {
    return this.current;
  }

  update(members: readonly Member[]): Placement {
    const nodes = this.ringNodes(members);
    const q = this.options.partitions;
    const owners = foldClaim(nodes, q, this.options.targetN, this.claim);
    this.current = new RingPlacement(q, owners, new Map(nodes.map((n) => [n.id, n.zoneKey])));
    this.claim = { nodes, owners };
    return this.current;
  }

  /** The members that hold data, validated, with weights and zone keys resolved, in claim order. */
  private ringNodes(members: readonly Member[]): RingNode[] {
    const seen = new Set<NodeId>();
    const nodes: RingNode[] = [];
    for (const m of members) {
      if (typeof m.id !== 'string' || m.id.length === 0)
        throw new DynamisError('INVALID_ARGUMENT', `member id must be a non-empty string, got ${String(m.id)}`);
      if (seen.has(m.id)) throw new DynamisError('INVALID_ARGUMENT', `member ${m.id} is listed twice`, { details: { member: m.id } });
      seen.add(m.id);
      if (m.status === 'left') continue;
      const weight = this.options.weights?.[m.id] ?? m.weight ?? 1;
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
        throw new DynamisError('INVALID_ARGUMENT', `member ${m.id} has weight ${String(weight)}; weights are positive finite numbers`, {
          details: { member: m.id, weight },
        });
      }
      const zoned = this.options.zoneAware && typeof m.zone === 'string' && m.zone.length > 0;
      nodes.push({ id: m.id, weight, zoneKey: zoned ? `z:${m.zone!}` : `n:${m.id}` });
    }
    return nodes.sort(claimOrder);
  }
}
