import { DynamisError, parseWithSchema, type Member, type NodeId, type Partitioner, type Placement } from '@dynamis/core';
import { eventOrder, sameEvent, type ClaimEvent } from './claimEvent';
import { foldClaim, type Claim } from './foldClaim';
import { ringOptionsSchema, type ResolvedRingOptions, type RingOptions } from './options';
import { RingPlacement } from './RingPlacement';

/**
 * Riak-style ring Partitioner: Q equal partitions claimed by nodes. Every
 * placement is a pure function of the member set (ids, weights, zones,
 * joinedAt, and leftAt of members that left; not the order of the list, nor
 * the updates before it), so two nodes that hold the same members agree (same
 * Placement.hash): the ring is the fold of the members' join and leave events
 * in eventOrder (see foldClaim). Not safe for concurrent update() calls;
 * placement() is always safe.
 */
export class RingPartitioner implements Partitioner {
  private readonly options: ResolvedRingOptions;
  private current: RingPlacement;
  /** The claim behind `current`, reused by the next update when its nodes are a prefix of the new ones. */
  private claim: Claim = { events: [], live: [], owners: [] };

  /** Throws INVALID_CONFIG on bad options. */
  constructor(options: RingOptions = {}) {
    this.options = parseWithSchema(ringOptionsSchema, options, 'options of @dynamis/ring');
    this.current = new RingPlacement(this.options.partitions, [], new Map());
  }

  placement(): Placement {
    return this.current;
  }

  /**
   * The placement for `members`: members not `left` (nor unverified
   * `joining` ones, which are not placed) join at their joinedAt (0 when absent); a `left` member that carries leftAt joined at its
   * joinedAt and left at max(leftAt, joinedAt); a `left` member without
   * leftAt is ignored. Throws INVALID_ARGUMENT (keeping the current
   * placement) for an empty or duplicate id, a weight that is not positive
   * and finite, or a joinedAt/leftAt that is not a finite number ≥ 0.
   */
  update(members: readonly Member[]): Placement {
    const events = this.claimEvents(members);
    // Liveness ('up' / 'down') does not move partitions: the same claim events give this very placement.
    if (events.length > 0 && events.length === this.claim.events.length && events.every((e, i) => sameEvent(e, this.claim.events[i]!))) {
      return this.current;
    }
    const q = this.options.partitions;
    const claim = foldClaim(events, q, this.options.targetN, this.claim);
    this.current = new RingPlacement(q, claim.owners, new Map(claim.live.map((n) => [n.id, n.zoneKey])));
    this.claim = claim;
    return this.current;
  }

  /** The members' join and leave events, validated, with weights and zone keys resolved, in eventOrder. */
  private claimEvents(members: readonly Member[]): ClaimEvent[] {
    const seen = new Set<NodeId>();
    const events: ClaimEvent[] = [];
    for (const m of members) {
      if (typeof m.id !== 'string' || m.id.length === 0)
        throw new DynamisError('INVALID_ARGUMENT', `member id must be a non-empty string, got ${String(m.id)}`);
      if (seen.has(m.id)) throw new DynamisError('INVALID_ARGUMENT', `member ${m.id} is listed twice`, { details: { member: m.id } });
      seen.add(m.id);
      // An unverified member is known but not placed (Membership port): no partitions until it proved it exists.
      if (m.status === 'joining' && m.unverified === true) continue;
      const joinedAt = checkTime(m, 'joinedAt') ?? 0;
      const leftAt = m.status === 'left' ? checkTime(m, 'leftAt') : undefined;
      if (m.status === 'left' && leftAt === undefined) continue;
      const weight = this.options.weights?.[m.id] ?? m.weight ?? 1;
      if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
        throw new DynamisError('INVALID_ARGUMENT', `member ${m.id} has weight ${String(weight)}; weights are positive finite numbers`, {
          details: { member: m.id, weight },
        });
      }
      const zoned = this.options.zoneAware && typeof m.zone === 'string' && m.zone.length > 0;
      const node = { id: m.id, weight, zoneKey: zoned ? `z:${m.zone!}` : `n:${m.id}` };
      events.push({ kind: 'join', at: joinedAt, node });
      if (leftAt !== undefined) events.push({ kind: 'leave', at: Math.max(leftAt, joinedAt), node });
    }
    return events.sort(eventOrder);
  }
}

/** The member's `key` time: undefined when absent, else a finite number ≥ 0 (INVALID_ARGUMENT otherwise). */
function checkTime(m: Member, key: 'joinedAt' | 'leftAt'): number | undefined {
  const t = m[key];
  if (t === undefined) return undefined;
  if (typeof t !== 'number' || !Number.isFinite(t) || t < 0) {
    throw new DynamisError('INVALID_ARGUMENT', `member ${m.id} has ${key} ${String(t)}; times are finite numbers of ms ≥ 0`, {
      details: { member: m.id, [key]: t },
    });
  }
  return t;
}
