import { DynamisError, type FileSystem, type NodeId } from '@dynamis/core';
import { FaultyFileSystem, type CrashOptions } from '../fs/FaultyFileSystem';
import { MemoryFileSystem } from '../fs/MemoryFileSystem';
import type { LinkFaults } from './LinkFaults';
import { Scheduler } from './Scheduler';
import { SeededRandom } from './SeededRandom';
import { SimNetwork } from './SimNetwork';
import { FencedFileSystem } from './FencedFileSystem';
import { SimLog, type SimLogOptions } from './SimLog';
import type { SimTransport } from './SimTransport';
import type { TraceRecord } from './trace';
import { VirtualClock } from './VirtualClock';

export interface SimulationOptions {
  /** The seed every random choice derives from (a safe integer). */
  readonly seed: number;
  /** The nodes to create up front (default n1, n2, n3); more with `addNode`. */
  readonly nodes?: readonly NodeId[];
  /** Network-wide link faults (over DEFAULT_LINK_FAULTS). */
  readonly network?: LinkFaults;
  /** Initial wall-clock skew per node, ms (default 0). */
  readonly skewMs?: Readonly<Record<NodeId, number>>;
  /** Wall-clock time at virtual time 0 (default DEFAULT_EPOCH_MS). */
  readonly epochMs?: number;
  /** Cap on events per run call (default 1,000,000); see Scheduler. */
  readonly maxEvents?: number;
  /** Record the network trace (default true). */
  readonly trace?: boolean;
  /**
   * Each node's disk: 'memory' (default; a MemoryFileSystem, and a crash is a
   * process crash: everything written survives, as the OS page cache would
   * keep it) or 'faulty' (a FaultyFileSystem, and a crash is a power loss:
   * only synced bytes and synced directory entries survive).
   */
  readonly disk?: 'memory' | 'faulty';
  /** Each node's log (default: level 'info', kept in memory, not printed). */
  readonly log?: SimLogOptions;
}

interface SimNode {
  clock: VirtualClock;
  readonly random: SeededRandom;
  readonly disk: MemoryFileSystem;
  view: FencedFileSystem;
  readonly log: SimLog;
  crashed: boolean;
  incarnation: number;
}

/** A MemoryFileSystem whose process-crash releases the crashed process's locks. */
class ProcessDisk extends MemoryFileSystem {
  releaseLocks(): void {
    this.locks.clear();
  }
}

/**
 * A deterministic cluster in one process: one Scheduler (virtual time), and
 * per node a VirtualClock, a SeededRandom forked from the seed by node id, and
 * a SimTransport on one SimNetwork (whose randomness is forked as `network`).
 * The same seed and the same code always give the same run and the same
 * `traceDigest()`; adding a node does not change any other node's
 * randomness. Transports are created but not started: start them (or the
 * nodes using them) first.
 *
 * A node is more than its network endpoint: it has a disk (`fileSystem(id)`)
 * and a log (`log(id)`) that outlive it. `crashNode` kills it (network
 * endpoint down, clock halted, disk crashed as `disk` says) and
 * `restartNode` brings a new node up over the surviving disk.
 */
export class Simulation {
  readonly seed: number;
  readonly scheduler: Scheduler;
  readonly network: SimNetwork;
  private readonly root: SeededRandom;
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly epochMs: number | undefined;
  private readonly diskKind: 'memory' | 'faulty';
  private readonly logOptions: SimLogOptions;

  /** Throws INVALID_ARGUMENT for a bad seed, node id, fault setting or duplicate node. */
  constructor(options: SimulationOptions) {
    this.seed = options.seed;
    this.root = new SeededRandom(options.seed);
    this.epochMs = options.epochMs;
    this.diskKind = options.disk ?? 'memory';
    if (this.diskKind !== 'memory' && this.diskKind !== 'faulty') {
      throw new DynamisError('INVALID_ARGUMENT', `disk must be 'memory' or 'faulty', got ${String(options.disk)}`);
    }
    this.logOptions = options.log ?? {};
    this.scheduler = new Scheduler(options.maxEvents === undefined ? {} : { maxEvents: options.maxEvents });
    this.network = new SimNetwork(this.scheduler, this.root.fork('network'), {
      ...(options.network === undefined ? {} : { faults: options.network }),
      ...(options.trace === undefined ? {} : { trace: options.trace }),
    });
    for (const id of options.nodes ?? ['n1', 'n2', 'n3']) this.addNode(id, options.skewMs?.[id] ?? 0);
  }

  /** Adds a node (clock, random, transport). Throws INVALID_ARGUMENT if it exists or the id is invalid. */
  addNode(id: NodeId, skewMs = 0): void {
    if (this.nodes.has(id)) throw new DynamisError('INVALID_ARGUMENT', `node ${id} already exists`);
    this.network.endpoint(id);
    const random = this.root.fork(`node/${id}`);
    const torn = random.fork('disk');
    const disk = this.diskKind === 'faulty' ? new FaultyFileSystem({ random: () => torn.next() }) : new ProcessDisk();
    const log = new SimLog(id, () => this.scheduler.now(), this.logOptions);
    const view = new FencedFileSystem(disk, id);
    this.nodes.set(id, { clock: this.newClock(skewMs), random, disk, view, log, crashed: false, incarnation: 0 });
  }

  /**
   * Crashes node `id` at this instant: its network endpoint goes down (see
   * SimTransport.crash), its clock is halted (every timer and sleep of the
   * dead process is cancelled and never fires) and its disk crashes: on a
   * 'faulty' disk every unsynced byte and directory entry is lost (`crash`
   * options as FaultyFileSystem.crash, e.g. torn tails) and old handles fail;
   * on a 'memory' disk the data stays and the locks are released. Whatever
   * the dead node object still holds must not be used again (its file
   * system view now fails every call, see FencedFileSystem); compose a new
   * one with `restartNode`. Throws INVALID_ARGUMENT for an unknown node or
   * one already crashed.
   */
  crashNode(id: NodeId, crash: CrashOptions = {}): void {
    const node = this.node(id);
    if (node.crashed) throw new DynamisError('INVALID_ARGUMENT', `node ${id} is already crashed`);
    node.crashed = true;
    this.network.crash(id);
    node.clock.halt();
    node.view.fence();
    if (node.disk instanceof FaultyFileSystem) node.disk.crash(crash);
    else if (node.disk instanceof ProcessDisk) node.disk.releaseLocks();
    node.log.logger.warn('simulated crash', { incarnation: node.incarnation });
  }

  /**
   * Restarts crashed node `id`: gives it a fresh clock (same wall-clock skew),
   * runs `compose` (which creates and starts the new node over the same
   * `fileSystem(id)`, e.g. with `simulatedEnvironment(sim, id)` again) while
   * the endpoint is still down, so no message reaches the dead node's
   * handler, then brings the endpoint up. Resolves with what `compose`
   * returns. Throws INVALID_ARGUMENT unless the node is crashed; if `compose`
   * rejects, the node stays crashed.
   */
  async restartNode<T>(id: NodeId, compose: () => Promise<T> | T): Promise<T> {
    const node = this.node(id);
    if (!node.crashed) throw new DynamisError('INVALID_ARGUMENT', `node ${id} is not crashed`);
    node.clock = this.newClock(node.clock.skew());
    node.view = new FencedFileSystem(node.disk, id);
    node.incarnation++;
    const result = await compose();
    node.crashed = false;
    this.network.restart(id);
    node.log.logger.info('simulated restart', { incarnation: node.incarnation });
    return result;
  }

  /**
   * Freezes node `id` as SIGSTOP freezes a process: its timers and sleeps
   * stop firing and whatever reaches it over the network (requests, replies,
   * stream frames) and its own request timeouts are held, unhandled, until
   * `resumeNode(id)`. Peers see a node that does not answer. Its wall clock
   * keeps running, so it jumps ahead on resume. Work the node had already
   * started and that needs neither (e.g. a disk write in flight) may still
   * complete. Throws INVALID_ARGUMENT for an unknown node, a crashed one or
   * one already paused. A crash ends a pause (the held work is lost).
   */
  pauseNode(id: NodeId): void {
    const node = this.node(id);
    if (node.crashed) throw new DynamisError('INVALID_ARGUMENT', `node ${id} is crashed`);
    if (this.isPaused(id)) throw new DynamisError('INVALID_ARGUMENT', `node ${id} is already paused`);
    node.clock.pause();
    this.network.endpoint(id).pause();
    node.log.logger.warn('simulated pause');
  }

  /** Ends the pause of `id` (SIGCONT): everything held runs now, in order. Throws INVALID_ARGUMENT unless `id` is paused. */
  resumeNode(id: NodeId): void {
    const node = this.node(id);
    if (!this.isPaused(id)) throw new DynamisError('INVALID_ARGUMENT', `node ${id} is not paused`);
    node.clock.resume();
    this.network.endpoint(id).resume();
    node.log.logger.info('simulated resume');
  }

  /** True between `pauseNode(id)` and `resumeNode(id)` (or a crash). Throws INVALID_ARGUMENT for an unknown node. */
  isPaused(id: NodeId): boolean {
    const node = this.node(id);
    return !node.crashed && node.clock.isPaused();
  }

  /** True between `crashNode(id)` and the end of `restartNode(id, …)`. Throws INVALID_ARGUMENT for an unknown node. */
  isCrashed(id: NodeId): boolean {
    return this.node(id).crashed;
  }

  /**
   * The FileSystem of `id`'s current incarnation: a view of its disk that is
   * fenced at the next crash (a new view after restart). Throws
   * INVALID_ARGUMENT for an unknown node.
   */
  fileSystem(id: NodeId): FileSystem {
    return this.node(id).view;
  }

  /** `id`'s disk itself (survives its crashes), for inspection. A FaultyFileSystem when `disk: 'faulty'`. Throws INVALID_ARGUMENT for an unknown node. */
  disk(id: NodeId): MemoryFileSystem {
    return this.node(id).disk;
  }

  /** `id`'s log (all incarnations). Throws INVALID_ARGUMENT for an unknown node. */
  log(id: NodeId): SimLog {
    return this.node(id).log;
  }

  /** The node ids, in creation order. */
  nodeIds(): NodeId[] {
    return [...this.nodes.keys()];
  }

  /** `id`'s clock (a new one after each restart). Throws INVALID_ARGUMENT for an unknown node. */
  clock(id: NodeId): VirtualClock {
    return this.node(id).clock;
  }

  /** `id`'s random stream. Throws INVALID_ARGUMENT for an unknown node. */
  random(id: NodeId): SeededRandom {
    return this.node(id).random;
  }

  /** `id`'s transport. Throws INVALID_ARGUMENT for an unknown node. */
  transport(id: NodeId): SimTransport {
    this.node(id);
    return this.network.endpoint(id);
  }

  /** Current virtual time, ms. */
  now(): number {
    return this.scheduler.now();
  }

  /** Runs `ms` of virtual time (all due events, microtasks drained between them). */
  runFor(ms: number): Promise<void> {
    return this.scheduler.runFor(ms);
  }

  /**
   * Runs events until `predicate()` holds, checking it before every event.
   * Rejects with TIMEOUT if it still does not after `maxMs` of virtual time.
   */
  async runUntil(predicate: () => boolean, maxMs: number): Promise<void> {
    const deadline = this.scheduler.now() + maxMs;
    if (!(await this.scheduler.runWhileNot(predicate, deadline))) {
      throw new DynamisError('TIMEOUT', `condition not met within ${maxMs} ms of virtual time (now ${this.now()} ms)`);
    }
  }

  /**
   * Runs virtual time until `p` settles; resolves or rejects like it.
   * Rejects with TIMEOUT (runUntil's) if it has not settled after `maxMs`.
   */
  async settle<T>(p: Promise<T>, maxMs = 600_000): Promise<T> {
    let r: { ok: T } | { err: unknown } | undefined;
    p.then(
      (ok) => (r = { ok }),
      (err: unknown) => (r = { err }),
    );
    await this.runUntil(() => r !== undefined, maxMs);
    if ('err' in r!) throw r.err;
    return r!.ok;
  }

  /** Every network event so far. */
  get trace(): readonly TraceRecord[] {
    return this.network.trace;
  }

  /** SHA-256 hex of the trace so far. */
  traceDigest(): string {
    return this.network.traceDigest();
  }

  private newClock(skewMs: number): VirtualClock {
    return new VirtualClock(this.scheduler, { skewMs, ...(this.epochMs === undefined ? {} : { epochMs: this.epochMs }) });
  }

  private node(id: NodeId): SimNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new DynamisError('INVALID_ARGUMENT', `unknown simulated node ${id}`);
    return node;
  }
}
