import {
  DynamisError,
  isDynamisError,
  parsePeerAddresses,
  type Clock,
  type DynamisConfig,
  type Logger,
  type Member,
  type Membership,
  type MembershipEvents,
  type MemberStatus,
  type MessageRouter,
  type NodeId,
  type PeerRpc,
  type Timer,
  type Unsubscribe,
} from '@dynamis/core';
import { z } from 'zod';
import type { StaticMembershipOptions } from './options';

export const PING = 'membership.ping';
export const PONG = 'membership.pong';
const OWNER = '@dynamis/membership-static';
/** A probe answered by the member's node while its membership is not serving (starting or stopping): no result. */
const NOT_SERVING = Symbol('not serving');
const pingSchema = z.object({ from: z.string().min(1).max(64) }).strict();
const pongSchema = z.object({ id: z.string().min(1).max(64), status: z.enum(['joining', 'up', 'down', 'leaving', 'left']) });

interface PeerState {
  member: Member;
  failures: number;
  /** Clock.monotonic() of the last up↔down transition (-Infinity: none yet). */
  lastTransitionAt: number;
  inFlight: boolean;
}

/**
 * Membership from a fixed list: the config's `seeds` (`id@host:port`, see
 * parsePeerAddresses), plus this node from `nodeId` and `listen` when it is
 * not listed. The member set never changes after construction (no gossip):
 * `joined`/`left` never fire. Every member starts `up` (no event) and stays
 * assumed up until probes to it actually fail, as below.
 *
 * Liveness: every `pingIntervalMs` on the Clock, each other member with no
 * ping in flight is sent `membership.ping` through the kernel's PeerRpc
 * with `pingTimeoutMs`; the first round is one interval after start(). A
 * reply from the expected id is a success. UNAVAILABLE `notStarted` (the
 * member's node answered, but its membership is starting or stopping) is no
 * result: neither a failure nor a success. Anything else (TIMEOUT, another
 * UNAVAILABLE, a reply from another id) is a failure. start() after stop()
 * forgets earlier failures. (The kernel gives the Transport every member's
 * address right after Membership starts, so a probe is never refused for a
 * missing address while later units start.)
 * - `failuresBeforeDown` consecutive failures mark an up member `down`; one
 *   success marks a down member `up` again. Each transition fires `down` or
 *   `up` exactly once, with the member as it is after the transition.
 * - Flap damping: two transitions of one member are at least
 *   `minTransitionMs` apart; a transition due sooner happens at the first
 *   probe result after that time that still calls for it.
 * - Bounds (for a member that never transitioned before, or did more than
 *   minTransitionMs ago): a member that stops answering at t is down by
 *   t + failuresBeforeDown × pingIntervalMs + pingTimeoutMs; one that answers
 *   again from t is up by t + pingIntervalMs + pingTimeoutMs.
 * - A reply's status `leaving` marks the member leaving (still alive; no event).
 * `join(seeds)` checks that every seed is a known member at its address
 * (INVALID_ARGUMENT otherwise; INVALID_CONFIG for a malformed entry) and
 * resolves: the view is the static list. `leave()` marks self `leaving`,
 * which peers learn from the next ping reply. Listeners that throw are logged.
 * Construction throws INVALID_CONFIG naming a bad `seeds` entry.
 */
export class StaticMembership implements Membership {
  readonly self: NodeId;
  private readonly peers = new Map<NodeId, PeerState>();
  private selfMember: Member;
  private readonly listeners = new Map<keyof MembershipEvents, Set<(m: Member) => void>>();
  private timer: Timer | undefined;
  /** Bumped by stop(): results of pings sent before it are ignored. */
  private generation = 0;
  private running = false;

  constructor(
    config: DynamisConfig,
    private readonly options: StaticMembershipOptions,
    private readonly rpc: PeerRpc,
    private readonly router: MessageRouter,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {
    this.self = config.nodeId;
    const listed = parsePeerAddresses(config.seeds, 'seeds');
    const mine = listed.find((p) => p.id === this.self);
    this.selfMember = { id: this.self, address: mine?.address ?? `${config.listen.host}:${config.listen.port}`, status: 'up' };
    for (const p of listed) {
      if (p.id === this.self) continue;
      this.peers.set(p.id, {
        member: { id: p.id, address: p.address, status: 'up' },
        failures: 0,
        lastTransitionAt: -Infinity,
        inFlight: false,
      });
    }
  }

  on<E extends keyof MembershipEvents & string>(event: E, listener: (payload: MembershipEvents[E]) => void): Unsubscribe {
    const set = this.listeners.get(event) ?? new Set();
    const l = listener as (m: Member) => void;
    set.add(l);
    this.listeners.set(event, set);
    return () => void set.delete(l);
  }

  members(): Member[] {
    return [this.selfMember, ...[...this.peers.values()].map((p) => p.member)];
  }

  member(id: NodeId): Member | undefined {
    return id === this.self ? this.selfMember : this.peers.get(id)?.member;
  }

  /** Self: while started. Others: unless marked down. Unknown ids: false. */
  isAlive(id: NodeId): boolean {
    if (id === this.self) return this.running;
    const p = this.peers.get(id);
    return p !== undefined && p.member.status !== 'down';
  }

  async join(seeds: readonly string[]): Promise<void> {
    for (const seed of parsePeerAddresses(seeds, 'join seeds')) {
      const known = this.member(seed.id);
      if (known === undefined || known.address !== seed.address) {
        throw new DynamisError(
          'INVALID_ARGUMENT',
          `seed ${seed.id}@${seed.address} is not in the static member list; the member set is fixed at start`,
          {
            details: { seed: `${seed.id}@${seed.address}`, members: this.members().map((m) => `${m.id}@${m.address}`) },
          },
        );
      }
    }
  }

  async leave(): Promise<void> {
    this.selfMember = { ...this.selfMember, status: 'leaving' };
  }

  /** Registers membership.ping and starts probing. Throws INVALID_ARGUMENT if another owner registered it. Idempotent. */
  async start(): Promise<void> {
    if (this.running) return;
    this.router.register(PING, pingSchema, async () => ({ type: PONG, payload: { id: this.self, status: this.selfMember.status } }), OWNER);
    for (const p of this.peers.values()) p.failures = 0; // a restart counts only its own probes
    this.running = true;
    this.arm();
  }

  /** Stops probing, drops in-flight results, unregisters membership.ping. Idempotent. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.generation++;
    this.timer?.cancel();
    this.timer = undefined;
    this.router.unregister(PING);
    for (const p of this.peers.values()) p.inFlight = false;
  }

  private arm(): void {
    this.timer = this.clock.setTimer(this.options.pingIntervalMs, () => {
      if (!this.running) return;
      for (const p of this.peers.values()) if (!p.inFlight) this.probe(p);
      this.arm();
    });
  }

  private probe(p: PeerState): void {
    const generation = this.generation;
    p.inFlight = true;
    this.rpc
      .call(p.member.id, PING, { from: this.self }, { replySchema: pongSchema, replyType: PONG, timeoutMs: this.options.pingTimeoutMs })
      .then(
        (reply) => {
          if (reply.id !== p.member.id)
            this.logger.warn('a member address answers as another node', { member: p.member.id, answeredAs: reply.id });
          return reply.id === p.member.id ? reply.status : undefined;
        },
        (err: unknown) => (isDynamisError(err, 'UNAVAILABLE') && err.details['notStarted'] === true ? NOT_SERVING : undefined),
      )
      .then((status) => {
        if (generation !== this.generation) return;
        p.inFlight = false;
        if (status !== NOT_SERVING) this.record(p, status);
      });
  }

  /** Applies one probe result (`undefined`: failure). */
  private record(p: PeerState, status: MemberStatus | undefined): void {
    if (status === undefined) p.failures++;
    else p.failures = 0;
    const now = this.clock.monotonic();
    const damped = now - p.lastTransitionAt < this.options.minTransitionMs;
    if (p.member.status === 'down') {
      if (status !== undefined && !damped) this.transition(p, status === 'leaving' ? 'leaving' : 'up', 'up', now);
      return;
    }
    if (status === undefined) {
      if (p.failures >= this.options.failuresBeforeDown && !damped) this.transition(p, 'down', 'down', now);
      return;
    }
    if (status === 'leaving' && p.member.status !== 'leaving') p.member = { ...p.member, status: 'leaving' };
  }

  private transition(p: PeerState, status: MemberStatus, event: 'up' | 'down', now: number): void {
    p.member = { ...p.member, status };
    p.lastTransitionAt = now;
    this.logger.info(`member ${event}`, { member: p.member.id, failures: p.failures });
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        l(p.member);
      } catch (err) {
        this.logger.error('membership listener threw', { event, member: p.member.id, error: String(err) });
      }
    }
  }
}
