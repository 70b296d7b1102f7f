import type { Clock, Logger, Member, MembershipEvents, MemberStatus, Timer, Unsubscribe } from '@dynamis/core';
import type { GossipEntry, GossipStatus } from './messages';

const PORT_STATUS: Readonly<Record<GossipStatus, MemberStatus>> = {
  alive: 'up',
  suspect: 'up',
  leaving: 'leaving',
  dead: 'down',
  left: 'left',
};

/** The port's view of one gossip entry: suspects are still up (SWIM), dead ones down. */
export function toMember(e: GossipEntry): Member {
  return {
    id: e.id,
    address: e.address,
    status: PORT_STATUS[e.status],
    ...(e.zone === undefined ? {} : { zone: e.zone }),
    ...(e.weight === undefined ? {} : { weight: e.weight }),
    ...(e.joinedAt === undefined ? {} : { joinedAt: e.joinedAt }),
    ...(e.leftAt === undefined || e.status !== 'left' ? {} : { leftAt: e.leftAt }),
  };
}

const isUp = (s: MemberStatus): boolean => s === 'up' || s === 'leaving';

interface Published {
  member: Member;
  /** Clock.monotonic() of the last up↔down flip (-Infinity: none). */
  flippedAt: number;
  timer: Timer | undefined;
}

type Event = keyof MembershipEvents & string;

/**
 * What this node publishes through the Membership port, and its events:
 * - `joining` when a member is first published as 'joining' (known, not
 *   placed: a seed, or a member not yet verified) or such a member moves to
 *   a new address;
 * - `joined` when a member is first published placed (a new member, or a
 *   'joining' one that gets its real entry or is verified; a member added
 *   with `silent` at construction fires nothing then), when it comes back
 *   after `left`, or when it reappears at a new address (a new process);
 * - `up` when it goes from down to up or leaving; `down` when it goes from
 *   up or leaving to down; `left` when it leaves.
 * Each fires once per transition, synchronously, with the member as published.
 * Flap damping: two up↔down flips of one member are at least
 * `minTransitionMs` apart; a flip due sooner is re-evaluated (against the
 * view's state then) when that time has passed. Listeners that throw are logged.
 */
export class Publisher {
  private readonly published = new Map<string, Published>();
  private readonly listeners = new Map<Event, Set<(m: Member) => void>>();

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly minTransitionMs: number,
    /** The view's current member for `id`, for damped re-evaluation. */
    private readonly current: (id: string) => Member | undefined,
  ) {}

  on<E extends Event>(event: E, listener: (payload: MembershipEvents[E]) => void): Unsubscribe {
    const set = this.listeners.get(event) ?? new Set();
    const l = listener as (m: Member) => void;
    set.add(l);
    this.listeners.set(event, set);
    return () => void set.delete(l);
  }

  members(): Member[] {
    return [...this.published.values()].map((p) => p.member);
  }

  member(id: string): Member | undefined {
    return this.published.get(id)?.member;
  }

  /**
   * Publishes `target` for `id`; `silent` adds a new member without
   * `joined`/`joining`. `target` undefined: forgotten, removed with a
   * `forgotten` event (none when `silent`, or for an id not published).
   */
  update(id: string, target: Member | undefined, silent = false): void {
    const pub = this.published.get(id);
    if (target === undefined) {
      pub?.timer?.cancel();
      this.published.delete(id);
      if (pub !== undefined && !silent) this.emit('forgotten', pub.member);
      return;
    }
    if (pub === undefined) {
      this.published.set(id, { member: target, flippedAt: -Infinity, timer: undefined });
      if (!silent) this.emit(target.status === 'joining' ? 'joining' : 'joined', target);
      return;
    }
    const before = pub.member.status;
    const after = target.status;
    if (before === 'left' && after !== 'left') return this.set(pub, target, 'joined', false);
    if (after === 'left') return before === 'left' ? this.set(pub, target, undefined, false) : this.set(pub, target, 'left', false);
    const flip = (isUp(before) && after === 'down') || (before === 'down' && isUp(after));
    if (flip) {
      const due = pub.flippedAt + this.minTransitionMs;
      const now = this.clock.monotonic();
      if (now < due) {
        pub.timer ??= this.clock.setTimer(due - now, () => {
          pub.timer = undefined;
          if (this.published.get(id) === pub) this.update(id, this.current(id));
        });
        return;
      }
      return this.set(pub, target, after === 'down' ? 'down' : 'up', true);
    }
    if (before === 'joining' && after === 'joining' && pub.member.address !== target.address)
      return this.set(pub, target, 'joining', false);
    if (before === 'joining' && after !== 'joining') return this.set(pub, target, 'joined', false);
    if (isUp(before) && isUp(after) && pub.member.address !== target.address) return this.set(pub, target, 'joined', false);
    pub.member = target;
  }

  /** Cancels damping timers (on stop). */
  stop(): void {
    for (const p of this.published.values()) {
      p.timer?.cancel();
      p.timer = undefined;
    }
  }

  /**
   * Stops publishing `id`, a member that left and is not kept (the view's
   * left-member bound): fires `left` with `member` unless it was published
   * as left already, then `forgotten` if it was published; the listeners see
   * members() without it. No-op for an unknown id that is not left.
   */
  dropLeft(id: string, member: Member): void {
    const pub = this.published.get(id);
    this.update(id, undefined, true);
    if (pub !== undefined && pub.member.status !== 'left') this.emit('left', member);
    if (pub !== undefined) this.emit('forgotten', member);
  }

  private set(pub: Published, target: Member, event: Event | undefined, flip: boolean): void {
    pub.member = target;
    if (flip) pub.flippedAt = this.clock.monotonic();
    if (event !== undefined) this.emit(event, target);
  }

  private emit(event: Event, member: Member): void {
    this.logger.info(`member ${event}`, { member: member.id, status: member.status });
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        l(member);
      } catch (err) {
        this.logger.error('membership listener threw', { event, member: member.id, error: String(err) });
      }
    }
  }
}
