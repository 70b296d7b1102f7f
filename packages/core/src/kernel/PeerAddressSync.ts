import { inject, injectable, type ServiceIdentifier } from 'inversify';
import type { Unsubscribe } from '../ports/EventSource';
import type { Lifecycle } from '../ports/Lifecycle';
import { LoggerToken, type Logger } from '../ports/Logger';
import { MembershipToken, type Member, type Membership } from '../ports/Membership';
import { TransportToken, type Transport } from '../ports/Transport';
import type { NodeId } from '../ports/types';

/**
 * The kernel's one place that keeps the Transport's peer addresses in step
 * with Membership, so no plugin has to (active when plugins provide both
 * Membership and Transport; it starts after both and stops before them).
 *
 * - On start it tells the Transport the address of every member Membership
 *   knows (`setPeerAddress(id, member.address)`), then, on every `joined`
 *   `up` and `joining` event, the address that event carries: a member that comes back
 *   at a new address is dialled there from then on.
 * - Self is skipped (PeerRpc calls to self never touch the Transport), and so
 *   is an address that did not change since it was last set.
 * - A `down` or `left` member's address is kept: the Transport needs it to
 *   reach the member when it returns, and Membership's probes go through it.
 * - On `forgotten` (a member Membership no longer knows) the Transport
 *   forgets its address (no more dials to it), so what an untrusted peer
 *   made Membership learn and then forget leaves nothing behind here.
 * - An address the Transport refuses (it throws, e.g. INVALID_ARGUMENT from
 *   a scheme it does not speak) is logged as a warning and skipped; the node
 *   stays up and that member stays unreachable.
 * On stop it unsubscribes; the Transport keeps the addresses it was given.
 */
@injectable()
export class PeerAddressSync implements Lifecycle {
  private unsubscribe: Unsubscribe[] = [];
  private readonly applied = new Map<NodeId, string>();

  constructor(
    @inject(MembershipToken) private readonly membership: Membership,
    @inject(TransportToken) private readonly transport: Transport,
    @inject(LoggerToken) private readonly logger: Logger,
  ) {}

  /** Subscribes and applies the current view. Idempotent. */
  async start(): Promise<void> {
    if (this.unsubscribe.length > 0) return;
    this.unsubscribe = (['joined', 'up', 'joining'] as const).map((event) => this.membership.on(event, (m) => this.apply(m)));
    this.unsubscribe.push(this.membership.on('forgotten', (m) => this.forget(m)));
    for (const member of this.membership.members()) this.apply(member);
  }

  /** Unsubscribes. Idempotent. */
  async stop(): Promise<void> {
    for (const off of this.unsubscribe) off();
    this.unsubscribe = [];
  }

  private forget(member: Member): void {
    if (member.id === this.transport.self || !this.applied.delete(member.id)) return;
    try {
      this.transport.forgetPeerAddress(member.id);
    } catch (err) {
      this.logger.warn('transport failed to forget a member address', { peer: member.id, error: String(err) });
    }
  }

  private apply(member: Member): void {
    if (member.id === this.transport.self || this.applied.get(member.id) === member.address) return;
    try {
      this.transport.setPeerAddress(member.id, member.address);
      this.applied.set(member.id, member.address);
    } catch (err) {
      this.logger.warn('transport refused a member address', { peer: member.id, address: member.address, error: String(err) });
    }
  }
}

export const PeerAddressSyncToken: ServiceIdentifier<PeerAddressSync> = Symbol.for('dynamis.PeerAddressSync');
