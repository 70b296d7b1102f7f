import { DynamisError, type NodeId } from '@dynamis/core';
import type { LinkFaults } from './LinkFaults';
import { Scheduler } from './Scheduler';
import { SeededRandom } from './SeededRandom';
import { SimNetwork } from './SimNetwork';
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
}

interface SimNode {
  readonly clock: VirtualClock;
  readonly random: SeededRandom;
}

/**
 * A deterministic cluster in one process: one Scheduler (virtual time), and
 * per node a VirtualClock, a SeededRandom forked from the seed by node id, and
 * a SimTransport on one SimNetwork (whose randomness is forked as `network`).
 * The same seed and the same code always give the same run and the same
 * `traceDigest()`; adding a node does not change any other node's
 * randomness. Transports are created but not started: start them (or the
 * nodes using them) first.
 */
export class Simulation {
  readonly seed: number;
  readonly scheduler: Scheduler;
  readonly network: SimNetwork;
  private readonly root: SeededRandom;
  private readonly nodes = new Map<NodeId, SimNode>();
  private readonly epochMs: number | undefined;

  /** Throws INVALID_ARGUMENT for a bad seed, node id, fault setting or duplicate node. */
  constructor(options: SimulationOptions) {
    this.seed = options.seed;
    this.root = new SeededRandom(options.seed);
    this.epochMs = options.epochMs;
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
    const clock = new VirtualClock(this.scheduler, {
      skewMs,
      ...(this.epochMs === undefined ? {} : { epochMs: this.epochMs }),
    });
    this.nodes.set(id, { clock, random: this.root.fork(`node/${id}`) });
  }

  /** The node ids, in creation order. */
  nodeIds(): NodeId[] {
    return [...this.nodes.keys()];
  }

  /** `id`'s clock. Throws INVALID_ARGUMENT for an unknown node. */
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

  /** Every network event so far. */
  get trace(): readonly TraceRecord[] {
    return this.network.trace;
  }

  /** SHA-256 hex of the trace so far. */
  traceDigest(): string {
    return this.network.traceDigest();
  }

  private node(id: NodeId): SimNode {
    const node = this.nodes.get(id);
    if (node === undefined) throw new DynamisError('INVALID_ARGUMENT', `unknown simulated node ${id}`);
    return node;
  }
}
