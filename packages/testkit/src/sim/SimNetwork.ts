import { DynamisError, type NodeId } from '@dynamis/core';
import type { Frame } from './frames';
import { copyFrame } from './frames';
import { DEFAULT_LINK_FAULTS, mergeLinkFaults, type LinkFaults, type ResolvedLinkFaults } from './LinkFaults';
import type { Scheduler } from './Scheduler';
import type { SeededRandom } from './SeededRandom';
import { SimTransport } from './SimTransport';
import { digestTrace, type TraceEvent, type TraceRecord } from './trace';

export interface SimNetworkOptions {
  /** Network-wide faults over DEFAULT_LINK_FAULTS. */
  readonly faults?: LinkFaults;
  /** Record the trace (default true). Off, `trace` stays empty. */
  readonly trace?: boolean;
}

const STREAM_FRAME_KINDS = new Set(['pull', 'chunk', 'end', 'cancel', 'abort']);

/**
 * A simulated network on virtual time: endpoints (one `SimTransport` per
 * node), per-link faults, partitions, crashes, and a trace of every message.
 *
 * Determinism: delivery order depends only on the scheduler and `random`
 * (the network's own stream), so one seed always gives the same run and the
 * same `traceDigest()`.
 *
 * Delivery: each copy of a message is deep-copied on delivery; it arrives
 * after its link's delay, in send order per directed link unless reordering
 * holds it back (see LinkFaults). A copy is dropped if, at send or at
 * arrival, the two nodes are partitioned, or if at arrival the receiver is
 * not running or has gone down and up since the copy was sent (its
 * connections died with it).
 */
export class SimNetwork {
  private readonly endpoints = new Map<NodeId, SimTransport>();
  private readonly records: TraceRecord[] = [];
  private readonly tracing: boolean;
  private globalFaults: ResolvedLinkFaults;
  private readonly links = new Map<string, LinkFaults>();
  private readonly linkTail = new Map<string, number>();
  private groups: Map<NodeId, number> | undefined;
  private readonly isolated = new Set<NodeId>();
  private readonly cuts = new Set<string>();
  private ids = 0;

  constructor(
    /** The virtual time every endpoint's timers run on. */
    readonly scheduler: Scheduler,
    private readonly random: SeededRandom,
    options: SimNetworkOptions = {},
  ) {
    this.globalFaults = mergeLinkFaults(DEFAULT_LINK_FAULTS, options.faults);
    this.tracing = options.trace ?? true;
  }

  /** The endpoint of `node`, created (not started) on first call. Throws INVALID_ARGUMENT for a bad id. */
  endpoint(node: NodeId): SimTransport {
    let ep = this.endpoints.get(node);
    if (ep === undefined) {
      if (typeof node !== 'string' || !/^[A-Za-z0-9._-]{1,64}$/.test(node)) {
        throw new DynamisError('INVALID_ARGUMENT', `invalid node id '${String(node)}'`);
      }
      ep = new SimTransport(node, this);
      this.endpoints.set(node, ep);
    }
    return ep;
  }

  /** True if `node` has an endpoint (requests to any other node fail UNAVAILABLE at once). */
  has(node: NodeId): boolean {
    return this.endpoints.has(node);
  }

  /** Replaces the network-wide faults (merged over DEFAULT_LINK_FAULTS). Throws INVALID_ARGUMENT. */
  setFaults(faults: LinkFaults): void {
    this.globalFaults = mergeLinkFaults(DEFAULT_LINK_FAULTS, faults);
  }

  /** Sets (or with undefined clears) the faults of the directed link from → to. Throws INVALID_ARGUMENT. */
  setLinkFaults(from: NodeId, to: NodeId, faults: LinkFaults | undefined): void {
    if (faults === undefined) {
      this.links.delete(linkKey(from, to));
      return;
    }
    mergeLinkFaults(this.globalFaults, faults);
    this.links.set(linkKey(from, to), faults);
  }

  /** The faults in force on the directed link from → to. */
  faultsOf(from: NodeId, to: NodeId): ResolvedLinkFaults {
    return mergeLinkFaults(this.globalFaults, this.links.get(linkKey(from, to)));
  }

  /**
   * Splits the network: messages between nodes of different groups are
   * dropped, and so are messages to or from a node named in no group.
   * Replaces any earlier partition; isolation (`isolate`) still applies.
   */
  partition(groups: readonly (readonly NodeId[])[]): void {
    const map = new Map<NodeId, number>();
    groups.forEach((group, i) => {
      for (const node of group) {
        if (map.has(node)) throw new DynamisError('INVALID_ARGUMENT', `node ${node} is in two partition groups`);
        map.set(node, i);
      }
    });
    this.groups = map;
  }

  /** Cuts `node` off from every other node until `heal()`. */
  isolate(node: NodeId): void {
    this.isolated.add(node);
  }

  /**
   * Cuts the link between `a` and `b` (both directions) until `heal()`, on
   * top of any partition: cutting single links builds partitions that groups
   * cannot express, such as a bridge (two halves that both reach one node)
   * or a ring (each node reaches only its neighbours). Throws
   * INVALID_ARGUMENT for a node cut from itself.
   */
  cut(a: NodeId, b: NodeId): void {
    if (a === b) throw new DynamisError('INVALID_ARGUMENT', `cannot cut node ${a} from itself`);
    this.cuts.add(linkKey(a, b));
    this.cuts.add(linkKey(b, a));
  }

  /** Removes every partition, isolation and cut link. Messages dropped meanwhile stay lost. */
  heal(): void {
    this.groups = undefined;
    this.isolated.clear();
    this.cuts.clear();
  }

  /** True unless a partition, isolation or cut link separates `a` from `b` (a node always reaches itself). */
  connected(a: NodeId, b: NodeId): boolean {
    if (a === b) return true;
    if (this.isolated.has(a) || this.isolated.has(b)) return false;
    if (this.cuts.has(linkKey(a, b))) return false;
    if (this.groups === undefined) return true;
    const ga = this.groups.get(a);
    return ga !== undefined && ga === this.groups.get(b);
  }

  /** Crashes `node`'s endpoint; see SimTransport.crash. Throws INVALID_ARGUMENT for an unknown node. */
  crash(node: NodeId): void {
    this.known(node).crash();
  }

  /** Brings a crashed endpoint back; see SimTransport.restart. Throws INVALID_ARGUMENT for an unknown node. */
  restart(node: NodeId): void {
    this.known(node).restart();
  }

  /** Every network event so far, in order. Read-only view; grows as the run goes on. */
  get trace(): readonly TraceRecord[] {
    return this.records;
  }

  /** SHA-256 hex of the trace so far: equal for two runs iff their traces are equal. */
  traceDigest(): string {
    return digestTrace(this.records);
  }

  /** @internal A fresh exchange id. */
  nextId(): number {
    return ++this.ids;
  }

  /** @internal Appends a trace record at the current virtual time. */
  record(ev: TraceEvent, from: NodeId, to: NodeId, type: string, id: number): void {
    if (this.tracing) this.records.push({ t: this.scheduler.now(), ev, from, to, type, id });
  }

  /**
   * @internal Puts `frame` on the wire from → to. `to` must have an endpoint.
   * Datagrams (reliable = false) suffer drop, duplication and reordering.
   */
  transmit(from: NodeId, to: NodeId, frame: Frame, reliable: boolean): void {
    const target = this.known(to);
    const type = traceType(frame);
    this.record(frame.kind === 'res' || frame.kind === 'err' ? 'reply' : 'send', from, to, type, frame.id);
    const faults = this.faultsOf(from, to);
    if (!this.connected(from, to) || (!reliable && this.random.chance(faults.dropProbability))) {
      this.record('drop', from, to, type, frame.id);
      return;
    }
    const incarnation = target.incarnation;
    this.scheduleCopy(from, target, frame, type, faults, reliable, incarnation);
    if (!reliable && this.random.chance(faults.duplicateProbability)) {
      this.record('dup', from, to, type, frame.id);
      this.scheduleCopy(from, target, frame, type, faults, reliable, incarnation);
    }
  }

  /** @internal Breaks stream `id` at `to` at once (a connection reset). */
  reset(to: NodeId, id: number, err: DynamisError): void {
    this.endpoints.get(to)?.resetStream(id, err);
  }

  private scheduleCopy(
    from: NodeId,
    target: SimTransport,
    frame: Frame,
    type: string,
    faults: ResolvedLinkFaults,
    reliable: boolean,
    incarnation: number,
  ): void {
    const to = target.self;
    const now = this.scheduler.now();
    let at = now + this.random.intBetween(faults.minDelayMs, faults.maxDelayMs);
    if (!reliable && this.random.chance(faults.reorderProbability)) {
      at += this.random.intBetween(1, faults.reorderMaxExtraMs);
    } else {
      const key = linkKey(from, to);
      at = Math.max(at, this.linkTail.get(key) ?? 0);
      this.linkTail.set(key, at);
    }
    this.scheduler.scheduleAt(at, () => {
      if (!this.connected(from, to) || !target.isLive() || target.incarnation !== incarnation) {
        this.record('drop', from, to, type, frame.id);
        return;
      }
      this.record('deliver', from, to, type, frame.id);
      target.receive(from, copyFrame(frame));
    });
  }

  private known(node: NodeId): SimTransport {
    const ep = this.endpoints.get(node);
    if (ep === undefined) throw new DynamisError('INVALID_ARGUMENT', `no endpoint for node ${node}`);
    return ep;
  }
}

function linkKey(from: NodeId, to: NodeId): string {
  return `${from}\u0000${to}`;
}

function traceType(frame: Frame): string {
  return STREAM_FRAME_KINDS.has(frame.kind) ? `${frame.type}#${frame.kind}` : frame.type;
}
