import { SeededRng } from './SeededRng';

/** The faults of the real-process runner. */
export type NemesisKind = 'kill' | 'pause' | 'isolate' | 'halves' | 'bridge' | 'skew';

export const NEMESES: readonly NemesisKind[] = ['kill', 'pause', 'isolate', 'halves', 'bridge', 'skew'];

/**
 * One fault: starts `at` ms after the load starts, lasts `durationMs`, then
 * is healed (a killed node restarts on its data dir, a paused one gets
 * SIGCONT, links and routes come back). `nodes` are 1-based indexes: the
 * victim (kill, pause, isolate, skew), the minority side (halves), or
 * [left..., bridge, right...] with the bridge node in `bridge` (bridge).
 * `skewMs` (skew only): the node is killed -9 and restarted with its wall
 * clock that far off, which it keeps until its next skew (a later skew is a
 * clock jump).
 */
export interface NemesisEvent {
  readonly at: number;
  readonly kind: NemesisKind;
  readonly nodes: readonly number[];
  readonly durationMs: number;
  readonly bridge?: number;
  readonly skewMs?: number;
}

export interface ScheduleOptions {
  readonly seed: number;
  /** How long the load runs (ms); every fault is healed before it ends. */
  readonly loadMs: number;
  readonly nodes: number;
  /** The kinds to draw from (skew dropped when libfaketime is missing). */
  readonly kinds: readonly NemesisKind[];
  /** Largest clock offset, ms (default 2000). */
  readonly maxSkewMs?: number;
}

/**
 * A seeded schedule of faults, one at a time: quiet 3–8 s, a fault of
 * 4–12 s, and so on until the load ends. Kinds are drawn in rounds, each a
 * shuffle of `kinds`, so every kind comes up once per round. The same
 * options give the same schedule.
 */
export function makeSchedule(options: ScheduleOptions): NemesisEvent[] {
  if (options.kinds.length === 0) return [];
  const random = new SeededRng(options.seed).fork('nemesis');
  const maxSkew = options.maxSkewMs ?? 2000;
  const events: NemesisEvent[] = [];
  const bag: NemesisKind[] = [];
  let t = random.intBetween(3_000, 8_000);
  for (;;) {
    const durationMs = random.intBetween(4_000, 12_000);
    if (t + durationMs + 1_000 > options.loadMs) break;
    if (bag.length === 0) bag.push(...shuffle([...options.kinds], random));
    const kind = bag.pop()!;
    const order = shuffle(
      Array.from({ length: options.nodes }, (_, i) => i + 1),
      random,
    );
    const base = { at: t, kind, durationMs };
    if (kind === 'halves') events.push({ ...base, nodes: order.slice(0, Math.floor(options.nodes / 2)).sort() });
    else if (kind === 'bridge') events.push({ ...base, nodes: order, bridge: order[Math.floor(options.nodes / 2)]! });
    else if (kind === 'skew') {
      const skewMs = random.intBetween(-maxSkew, maxSkew);
      events.push({ ...base, nodes: [order[0]!], skewMs, durationMs: 0 });
    } else events.push({ ...base, nodes: [order[0]!] });
    t += (kind === 'skew' ? 0 : durationMs) + random.intBetween(3_000, 8_000);
  }
  return events;
}

/** One line per event, for the report and the console. */
export function describeEvent(e: NemesisEvent): string {
  const at = `t+${(e.at / 1000).toFixed(1)}s`;
  const n = (i: number): string => `n${i}`;
  switch (e.kind) {
    case 'halves':
      return `${at} partition: {${e.nodes.map(n).join(',')}} | rest, for ${e.durationMs} ms`;
    case 'bridge': {
      const b = e.nodes.indexOf(e.bridge!);
      return `${at} bridge partition: {${e.nodes.slice(0, b).map(n).join(',')}} | {${e.nodes
        .slice(b + 1)
        .map(n)
        .join(',')}}, ${n(e.bridge!)} sees both, for ${e.durationMs} ms`;
    }
    case 'skew':
      return `${at} skew: kill -9 ${n(e.nodes[0]!)}, restart with its clock ${e.skewMs! >= 0 ? '+' : ''}${e.skewMs} ms`;
    case 'kill':
      return `${at} kill -9 ${n(e.nodes[0]!)}, restart after ${e.durationMs} ms`;
    case 'pause':
      return `${at} SIGSTOP ${n(e.nodes[0]!)}, SIGCONT after ${e.durationMs} ms`;
    case 'isolate':
      return `${at} isolate ${n(e.nodes[0]!)} (link down), for ${e.durationMs} ms`;
  }
}

function shuffle<T>(items: T[], random: SeededRng): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = random.int(i + 1);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
