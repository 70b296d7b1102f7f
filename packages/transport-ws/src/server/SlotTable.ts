import type { Role } from '../auth/handshake';

/** Limits of the slot table (see the options of the same names). */
export interface SlotLimits {
  readonly maxConnections: number;
  readonly maxPendingHandshakes: number;
  readonly maxPendingHandshakesPerAddress: number;
  readonly reservedPeerConnections: number;
}

/** One inbound TCP connection's slot. */
export class Slot<S> {
  /** 'pending' from TCP accept until the peer's proof checked out. */
  state: 'pending' | 'open' | 'gone' = 'pending';
  role: Role | undefined;

  constructor(
    readonly socket: S,
    readonly address: string,
  ) {}
}

/**
 * Who holds the inbound connection slots (pure bookkeeping; the Acceptor
 * closes what it is told to). At most maxConnections slots in all, of which
 * at most maxPendingHandshakes (and maxPendingHandshakesPerAddress per
 * remote address) are held by connections that have not authenticated yet.
 * A new connection that finds its address's, or the node's, pending
 * handshakes full evicts the *oldest* pending one (of that address first), so
 * unauthenticated sockets can neither pile up nor lock anyone out: they only
 * compete with each other, and an honest handshake completes in a round
 * trip. When every slot is held by authenticated connections, new ones are
 * refused. Authenticated clients may hold at most
 * maxConnections − reservedPeerConnections slots (the reserve is capped at
 * half of maxConnections): the rest stay free for cluster peers.
 */
export class SlotTable<S> {
  /** Pending slots, oldest first (a Set keeps insertion order). */
  private readonly pending = new Set<Slot<S>>();
  private readonly pendingByAddress = new Map<string, Set<Slot<S>>>();
  private openClients = 0;
  private openNodes = 0;
  private readonly maxClients: number;

  /** `evict` must close the slot's socket. reservedPeerConnections is capped at half of maxConnections. */
  constructor(
    private readonly limits: SlotLimits,
    private readonly evict: (slot: Slot<S>) => void,
  ) {
    this.maxClients = limits.maxConnections - Math.min(limits.reservedPeerConnections, Math.floor(limits.maxConnections / 2));
  }

  /** Slots held, pending or authenticated. */
  get size(): number {
    return this.pending.size + this.openClients + this.openNodes;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Takes a pending slot for a new connection from `address`, evicting as described above; undefined = refuse it. */
  add(socket: S, address: string): Slot<S> | undefined {
    const l = this.limits;
    const mine = this.pendingByAddress.get(address);
    if (mine !== undefined && mine.size >= l.maxPendingHandshakesPerAddress) this.drop(first(mine)!);
    if (this.pending.size >= Math.min(l.maxPendingHandshakes, l.maxConnections)) this.drop(first(this.pending)!);
    if (this.size >= l.maxConnections) {
      const oldest = first(this.pending);
      if (oldest === undefined) return undefined;
      this.drop(oldest);
    }
    const slot = new Slot(socket, address);
    this.pending.add(slot);
    let set = this.pendingByAddress.get(address);
    if (set === undefined) this.pendingByAddress.set(address, (set = new Set()));
    set.add(slot);
    return slot;
  }

  /** The pending `slot` authenticated as `role`: true if it may stay (see the class comment). */
  admit(slot: Slot<S>, role: Role): boolean {
    if (slot.state !== 'pending') return false;
    if (role === 'client' && this.openClients >= this.maxClients) return false;
    this.unpend(slot);
    slot.state = 'open';
    slot.role = role;
    if (role === 'client') this.openClients++;
    else this.openNodes++;
    return true;
  }

  /** The slot's socket closed. Idempotent. */
  remove(slot: Slot<S>): void {
    if (slot.state === 'pending') this.unpend(slot);
    else if (slot.state === 'open') {
      if (slot.role === 'client') this.openClients--;
      else this.openNodes--;
    }
    slot.state = 'gone';
  }

  private drop(slot: Slot<S>): void {
    this.remove(slot);
    this.evict(slot);
  }

  private unpend(slot: Slot<S>): void {
    this.pending.delete(slot);
    const set = this.pendingByAddress.get(slot.address);
    set?.delete(slot);
    if (set?.size === 0) this.pendingByAddress.delete(slot.address);
  }
}

function first<T>(set: Set<T>): T | undefined {
  for (const v of set) return v;
  return undefined;
}
