import type { Clock } from '@dynamis/core';
import { readPanels, type DashboardSources, type MemberRow, type NodePanels, type RingView } from './dashboardView';
import type { OpMeter, OpWindow } from './OpMeter';

/** Points of ops/s and latency history kept (one per tick: a minute at the 1 s period). */
export const HISTORY_POINTS = 60;

/** One point of the live charts. */
export interface OpPoint {
  /** Wall-clock ms at the end of the window. */
  readonly at: number;
  readonly opsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** A member row with how long this node has seen it in its current state. */
export interface DashboardMember extends MemberRow {
  /** Seconds since this node's dashboard first saw the member in `state` (it counts from the endpoint's start). */
  readonly stateAgeSec: number;
}

/** What `/events` sends every period and `/status` carries as `dashboard`. */
export interface DashboardSnapshot extends Omit<NodePanels, 'members'> {
  readonly node: string;
  /** Increases by one per tick. */
  readonly seq: number;
  /** Wall-clock ms of the tick. */
  readonly at: number;
  readonly members: readonly DashboardMember[];
  /** The last window's operations (see OpMeter), and up to HISTORY_POINTS earlier points, oldest first. */
  readonly ops: OpWindow;
  readonly history: readonly OpPoint[];
}

/**
 * The dashboard's state between ticks: the op meter's windows turned into a
 * bounded history, and when each member entered its state. tick() reads the
 * ports once (never throws: a port not ready leaves its panel out); the
 * first snapshot exists once tick() ran.
 */
export class Dashboard {
  private readonly history: OpPoint[] = [];
  /** Member id → [state, monotonic ms it was first seen in it]; only ids of the latest tick are kept. */
  private since = new Map<string, [string, number]>();
  private ring: RingView | undefined;
  private last: DashboardSnapshot | undefined;
  private seq = 0;
  private lastTick: number;

  constructor(
    private readonly sources: DashboardSources,
    private readonly meter: OpMeter,
    private readonly clock: Clock,
  ) {
    this.lastTick = clock.monotonic();
  }

  /** Closes the op window, reads the ports and returns the new snapshot. */
  tick(): DashboardSnapshot {
    const now = this.clock.monotonic();
    const ops = this.meter.take(now - this.lastTick);
    this.lastTick = now;
    const at = this.clock.now();
    this.history.push({ at, opsPerSec: ops.totalPerSec, p50Ms: ops.p50Ms, p99Ms: ops.p99Ms });
    if (this.history.length > HISTORY_POINTS) this.history.shift();
    const panels = readPanels(this.sources, this.ring);
    this.ring = panels.ring;
    const since = new Map<string, [string, number]>();
    const members = panels.members.map((m): DashboardMember => {
      const seen = this.since.get(m.id);
      const entered = seen !== undefined && seen[0] === m.state ? seen[1] : now;
      since.set(m.id, [m.state, entered]);
      return { ...m, stateAgeSec: Math.round((now - entered) / 1000) };
    });
    this.since = since;
    this.last = { ...panels, node: this.sources.nodeId, seq: ++this.seq, at, members, ops, history: [...this.history] };
    return this.last;
  }

  /** The last snapshot; undefined before the first tick. */
  latest(): DashboardSnapshot | undefined {
    return this.last;
  }
}
