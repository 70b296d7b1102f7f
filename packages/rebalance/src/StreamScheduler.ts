import {
  isDynamisError,
  type Clock,
  type Logger,
  type NodeId,
  type PartitionId,
  type PeerRpc,
  type Placement,
  type Replica,
  type Timer,
} from '@dynamis/core';
import type { Holdings } from './Holdings';
import type { RebalanceOptions } from './options';
import { pullPartition } from './pullPartition';

/** What the scheduler needs. */
export interface StreamSchedulerDeps {
  readonly rpc: PeerRpc;
  readonly replica: Replica;
  readonly holdings: Holdings;
  readonly clock: Clock;
  readonly log: Logger;
  readonly options: RebalanceOptions;
  readonly timeoutMs: number;
  readonly maxKeys: number;
  /** Called when a stream ended (this node's holdings may have changed) or a wait is over. */
  readonly changed: () => void;
}

interface Active {
  cancelled: boolean;
}

/**
 * Runs the streams of the partitions this node replicates under the target
 * placement but does not hold: at most `maxConcurrentStreams` at once, each
 * pulled by pullPartition from one source; a partition is added to this
 * node's holdings when its stream completed. Source order: the old holder
 * this node replaces (the i-th gaining replica pulls from the i-th old
 * holder that is no longer a replica, so it inherits exactly what that
 * holder had), then the other old holders, then the replicas that hold it;
 * rotated by the attempts that failed, each retried after `retryMs`.
 */
export class StreamScheduler {
  private readonly active = new Map<PartitionId, Active>();
  private readonly failures = new Map<PartitionId, { attempts: number; retryAt: number }>();
  private wanted: PartitionId[] = [];
  private agreeSince: number | undefined;
  private wake: Timer | undefined;
  private done = 0;
  /** Streams that failed because their source broke the protocol, sent refused records or never ended (logged at warn). */
  refused = 0;
  private bytes = 0;
  private keys = 0;
  private window = { start: undefined as number | undefined, end: 0, bytes: 0 };

  constructor(private readonly deps: StreamSchedulerDeps) {}

  /** A new target placement: streams of partitions this node no longer replicates are cancelled; the drain wait restarts. */
  retarget(c: Placement, n: number): void {
    const self = this.deps.holdings.self;
    for (const [p, a] of this.active) if (!c.preferenceList(p, n).includes(self)) a.cancelled = true;
    this.agreeSince = undefined;
    this.failures.clear();
    this.window = { start: undefined, end: 0, bytes: 0 };
  }

  /** Starts what may start (see the class comment); `agreed`: every node of `c` routes by it. */
  plan(c: Placement, n: number, agreed: boolean, drainMs: number): void {
    const { holdings, clock } = this.deps;
    this.wanted = c.partitions.map((b) => b.id).filter((p) => !holdings.own.has(p) && c.preferenceList(p, n).includes(holdings.self));
    if (!agreed) {
      this.agreeSince = undefined;
      return;
    }
    const now = clock.monotonic();
    this.agreeSince ??= now;
    if (now - this.agreeSince < drainMs) return this.wakeAt(this.agreeSince + drainMs - now);
    for (const p of this.wanted) {
      if (this.active.size >= this.deps.options.maxConcurrentStreams) return;
      if (this.active.has(p)) continue;
      const failed = this.failures.get(p);
      if (failed !== undefined && failed.retryAt > now) {
        this.wakeAt(failed.retryAt - now);
        continue;
      }
      const sources = this.sources(c, n, p);
      if (sources.length > 0) this.start(p, sources[(failed?.attempts ?? 0) % sources.length]!);
    }
  }

  /** Cancels every stream (at its next page). */
  cancelAll(): void {
    for (const a of this.active.values()) a.cancelled = true;
    this.wake?.cancel();
  }

  progress() {
    const w = this.window;
    const seconds = w.start === undefined ? 0 : ((this.active.size > 0 ? this.deps.clock.monotonic() : w.end) - w.start) / 1000;
    return {
      pending: this.wanted.filter((p) => !this.active.has(p)).length,
      streaming: this.active.size,
      done: this.done,
      bytesMoved: this.bytes,
      keysMoved: this.keys,
      bytesPerSecond: seconds > 0 ? Math.round(w.bytes / seconds) : 0,
    };
  }

  private sources(c: Placement, n: number, p: PartitionId): NodeId[] {
    const self = this.deps.holdings.self;
    const holders = this.deps.holdings.holders(p);
    const prefs = c.preferenceList(p, n);
    const gaining = prefs.filter((x) => !holders.has(x));
    const old = [...holders].filter((h) => !prefs.includes(h)).sort();
    const i = Math.max(0, gaining.indexOf(self));
    const paired = old.length > 0 ? [old[i % old.length]!] : [];
    const rest = [...old, ...prefs.filter((x) => holders.has(x))];
    return [...new Set([...paired, ...rest])].filter((x) => x !== self);
  }

  private start(p: PartitionId, source: NodeId): void {
    const { clock, holdings, log, options } = this.deps;
    const a: Active = { cancelled: false };
    this.active.set(p, a);
    this.window.start ??= clock.monotonic();
    const deps = {
      rpc: this.deps.rpc,
      replica: this.deps.replica,
      partitionCount: holdings.partitionCount,
      maxKeys: this.deps.maxKeys,
      maxBytes: options.maxBytesInFlight,
      timeoutMs: this.deps.timeoutMs,
      maxStreamMs: options.maxStreamMs,
      clock,
      cancelled: () => a.cancelled,
      progress: (bytes: number, keys: number) => {
        this.bytes += bytes;
        this.keys += keys;
        this.window.bytes += bytes;
      },
    };
    const replica = this.deps.replica;
    const pull = async (): Promise<void> => {
      await replica.damageCleanup(); // a damaged range of p is deleted before anything is streamed into it
      await pullPartition(deps, p, source);
      if (!a.cancelled && replica.unservedPartitions().has(p)) await replica.served(p); // rebuilt: before anyone hears it is held
    };
    pull().then(
      () => {
        this.active.delete(p);
        this.window.end = clock.monotonic();
        this.failures.delete(p);
        if (!a.cancelled) {
          holdings.own.add(p);
          this.done++;
          log.info('partition received', { partition: p, from: source });
        }
        this.deps.changed();
      },
      (err: unknown) => {
        this.active.delete(p);
        this.window.end = clock.monotonic();
        const attempts = (this.failures.get(p)?.attempts ?? 0) + 1;
        this.failures.set(p, { attempts, retryAt: clock.monotonic() + options.retryMs });
        const fields = { partition: p, from: source, attempts, error: (err as Error).message };
        // A source that broke the protocol, sent what the replica refuses, or never ended: an operator should see it.
        if (isDynamisError(err) && (err.code === 'PROTOCOL_ERROR' || err.code === 'INVALID_ARGUMENT' || err.code === 'TIMEOUT')) {
          this.refused++;
          log.warn('partition stream refused', { ...fields, code: err.code });
        } else log.debug('partition stream failed', fields);
        this.deps.changed();
      },
    );
  }

  private wakeAt(ms: number): void {
    this.wake?.cancel();
    this.wake = this.deps.clock.setTimer(Math.max(0, ms), () => {
      this.wake = undefined;
      this.deps.changed();
    });
  }
}
