import type { ServiceIdentifier } from 'inversify';
import type { EventSource } from './EventSource';
import type { Lifecycle } from './Lifecycle';
import type { NodeId } from './types';

/**
 * `joining`: known, and its address may be dialled, but not yet up: a
 * configured seed not heard from (placed, at joinedAt 0 until its entry
 * arrives: the operator named it), or, with `unverified`, a member learned
 * from a third party that has not yet proved it exists (not placed: the
 * Partitioner ignores it). `up`, `down`, `leaving`: placed (Dynamo: a down
 * member keeps its partitions). `left`: gone; placed only as the history of
 * its join and leave.
 */
export type MemberStatus = 'joining' | 'up' | 'down' | 'leaving' | 'left';

/** What the cluster knows of one node. */
export interface Member {
  readonly id: NodeId;
  /** Where its transport listens (transport-specific scheme). */
  readonly address: string;
  readonly status: MemberStatus;
  /** Failure-domain label for zone-aware placement. */
  readonly zone?: string;
  /** Relative capacity (default 1): a weight-2 node takes twice the vnodes. */
  readonly weight?: number;
  /**
   * When the node first joined the cluster (ms on its wall clock), kept
   * across its restarts. The Partitioner orders joins by it, so a new node
   * (the latest joinedAt) moves the fewest partitions. Absent (static
   * membership): 0, joins then ordered by id.
   */
  readonly joinedAt?: number;
  /**
   * When the node left the cluster (ms), on a member with status `left`.
   * The Partitioner keeps a left member that carries it as a leave at that
   * time, so a leave moves only the leaver's partitions; a `left` member
   * without it is ignored (the ring re-derived as if it never joined).
   */
  readonly leftAt?: number;
  /**
   * On a `joining` member: known only from a third party's word (gossip) and
   * not yet proved to exist (it has not answered this node). The Partitioner
   * does not place it, so invented members get no partitions. A configured
   * seed not heard from is `joining` without it, and placed.
   */
  readonly unverified?: true;
}

export interface MembershipEvents extends Record<string, unknown> {
  /**
   * A member this node may dial but does not place (status `joining`) became
   * known, or moved to a new address. Implementations without such members
   * never fire it. The kernel's PeerAddressSync tells the Transport its address.
   */
  joining: Member;
  /**
   * A member is no longer known (it left members() without another event:
   * e.g. gossip forgot an unverified member or a left one past its bound).
   * Implementations that never forget members never fire it. The kernel's
   * PeerAddressSync makes the Transport forget its address.
   */
  forgotten: Member;
  up: Member;
  down: Member;
  joined: Member;
  left: Member;
}

/**
 * Who is in the cluster. Events fire on this node's view changing; views
 * converge (gossip) but may differ between nodes for a while.
 */
export interface Membership extends Lifecycle, EventSource<MembershipEvents> {
  readonly self: NodeId;
  /** Every known member, including self and members that are down or leaving. */
  members(): Member[];
  member(id: NodeId): Member | undefined;
  /** This node's current belief (from the failure detector). */
  isAlive(id: NodeId): boolean;
  /** Contacts seed addresses and joins; resolves once this node has a view. */
  join(seeds: readonly string[]): Promise<void>;
  /** Announces a graceful leave; resolves once announced. */
  leave(): Promise<void>;
}

export const MembershipToken: ServiceIdentifier<Membership> = Symbol.for('dynamis.Membership');
