import type { FailureDetector, Member, FailureDetectorEvents, NodeId, Unsubscribe } from '@dynamis/core';
import type { GossipMembership } from './GossipMembership';

/**
 * The FailureDetector port over a GossipMembership's SWIM detector (one
 * detector per node: this is a view of it, not a second one).
 * - `isAlive(peer)`: the membership's published belief (up or leaving).
 * - `suspicion(peer)`: 0 alive, 0.5 suspected (SWIM has no finer level),
 *   Infinity down, left or unknown.
 * - `heartbeat(peer, now)`: evidence from elsewhere (e.g. a reply to a
 *   replica request) at `now` on Clock.monotonic(); the next probe of that
 *   peer is skipped if it falls within one probe period. It never clears a
 *   suspicion: only the suspect's own refutation does (SWIM's rule).
 * - `forget(peer)`: drops a down or left member from the view; ignored for a
 *   live one (gossip would bring it back at once).
 * - `up`/`down` fire with the membership's `up`/`down` events.
 */
export class SwimFailureDetector implements FailureDetector {
  constructor(private readonly membership: GossipMembership) {}

  on<E extends keyof FailureDetectorEvents & string>(event: E, listener: (payload: FailureDetectorEvents[E]) => void): Unsubscribe {
    const l = listener as (id: NodeId) => void;
    return this.membership.on(event as 'up' | 'down', (m: Member) => l(m.id));
  }

  heartbeat(peer: NodeId, now: number): void {
    this.membership.heard(peer, now);
  }

  isAlive(peer: NodeId): boolean {
    return this.membership.isAlive(peer);
  }

  suspicion(peer: NodeId): number {
    return this.membership.suspicionOf(peer) ?? Infinity;
  }

  forget(peer: NodeId): void {
    this.membership.forget(peer);
  }
}
