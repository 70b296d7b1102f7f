import { seedFromEnv, type Simulation } from '@dynamis/testkit';
import type { GossipOptionsInput } from '../src';
import { GossipCluster, seedList } from './GossipCluster';

/**
 * Seeds to run: DYNAMIS_SEED replays one; GOSSIP_SEEDS=N runs seeds 1..N;
 * otherwise `defaults`.
 */
export function simSeeds(defaults: readonly number[]): number[] {
  if (process.env['DYNAMIS_SEED'] !== undefined) return [seedFromEnv(0)];
  const n = Number(process.env['GOSSIP_SEEDS'] ?? '');
  return Number.isSafeInteger(n) && n > 0 ? Array.from({ length: n }, (_, i) => i + 1) : [...defaults];
}

/** `n1`..`n<count>`. */
export function nodeIds(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `n${i + 1}`);
}

/**
 * Runs virtual time in `stepMs` steps until `cond()` holds (checked between
 * steps, so an O(n²) check stays cheap); throws after `maxMs`.
 */
export async function runUntilPolled(sim: Simulation, cond: () => boolean, maxMs: number, stepMs = 50): Promise<void> {
  const deadline = sim.now() + maxMs;
  while (!cond()) {
    if (sim.now() >= deadline) throw new Error(`condition not met within ${maxMs} ms of virtual time (now ${sim.now()} ms)`);
    await sim.runFor(stepMs);
  }
}

/** Starts `ids` (seeds: the first three) and waits until they agree on one view with everyone alive. */
export async function formCluster(sim: Simulation, ids: readonly string[], options: GossipOptionsInput): Promise<GossipCluster> {
  const c = new GossipCluster(sim, options);
  const seeds = seedList(ids).slice(0, 3);
  for (const id of ids) await c.start(id, seeds);
  await runUntilPolled(sim, () => ids.every((id) => c.allSee(id, 'alive')) && c.converged(), 60_000, 100);
  return c;
}

/** "min / median / p90 / max" of `values`. */
export function summary(values: readonly number[]): string {
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number): number => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return `min ${s[0]} / median ${at(0.5)} / p90 ${at(0.9)} / max ${s[s.length - 1]} (${s.length} samples)`;
}

/** A histogram line per value: `value: count`. */
export function histogram(values: readonly number[], label: string): string {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([v, n]) => `  ${String(v).padStart(3)} ${label}: ${'#'.repeat(Math.ceil((60 * n) / values.length))} ${n}`)
    .join('\n');
}
