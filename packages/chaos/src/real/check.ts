import type { HistoryEntry } from './history';

/** What a read returned: a value, null (not found), or several siblings (never expected under LWW). */
export type ReadValue = string | null | string[];

/** One replica's own copy of a key, rendered comparably (values and versions), and its live value. */
export interface ReplicaCopy {
  readonly node: string;
  /** Canonical text of its siblings (value or tombstone, and version), '' for no record. */
  readonly record: string;
  readonly live: ReadValue;
}

/** Everything read back after the faults stopped. */
export interface FinalState {
  /** Per key, the R=2 read after healing (an Error if it could not be read). */
  readonly reads: ReadonlyMap<string, ReadValue | Error>;
  /** Per key, the copy of each of its N replicas (the ring's preference list). */
  readonly replicas: ReadonlyMap<string, readonly ReplicaCopy[]>;
}

export interface Verdict {
  readonly name: string;
  readonly ok: boolean;
  /** How many keys or reads were checked. */
  readonly checked: number;
  /** Up to 20 examples of what went wrong. */
  readonly problems: string[];
  readonly count: number;
  /** Reported, but not a guarantee of this setup (the run's verdict ignores it). */
  readonly informational?: boolean;
}

export interface Counts {
  readonly invoked: number;
  readonly ok: number;
  readonly fail: number;
  readonly info: number;
  readonly byFunction: Record<string, { ok: number; fail: number; info: number }>;
}

const same = (a: ReadValue, b: ReadValue): boolean => JSON.stringify(a) === JSON.stringify(b);
const show = (v: ReadValue | Error): string => (v instanceof Error ? `error(${v.message.slice(0, 80)})` : JSON.stringify(v));

/** Completions per key, in order (one writer per key: its writes are sequential). */
function byKey(history: readonly HistoryEntry[]): Map<string, HistoryEntry[]> {
  const out = new Map<string, HistoryEntry[]>();
  for (const e of history) {
    if (e.type === 'invoke') continue;
    const list = out.get(e.key) ?? [];
    list.push(e);
    out.set(e.key, list);
  }
  return out;
}

/**
 * The values a read of a key may return after the writes `done` (its
 * writer's completed operations, in order): the last acknowledged write's
 * value (null for a delete, or null if no write was acknowledged), or that of
 * any maybe-applied (info) write after it. A failed write (proved not
 * applied) is never allowed.
 */
export function allowedValues(done: readonly HistoryEntry[]): ReadValue[] {
  const writes = done.filter((e) => e.f !== 'get');
  let last = -1;
  writes.forEach((e, i) => {
    if (e.type === 'ok') last = i;
  });
  const allowed: ReadValue[] = [last === -1 ? null : (writes[last]!.value as ReadValue)];
  for (const e of writes.slice(last + 1)) if (e.type === 'info') allowed.push(e.value as ReadValue);
  return allowed;
}

function verdict(name: string, checked: number, problems: string[]): Verdict {
  return { name, ok: problems.length === 0, checked, count: problems.length, problems: problems.slice(0, 20) };
}

/** Counts of the history's operations by outcome. */
export function countOps(history: readonly HistoryEntry[]): Counts {
  const byFunction: Record<string, { ok: number; fail: number; info: number }> = {};
  let invoked = 0;
  const totals = { ok: 0, fail: 0, info: 0 };
  for (const e of history) {
    if (e.type === 'invoke') {
      invoked += 1;
      continue;
    }
    const f = (byFunction[e.f] ??= { ok: 0, fail: 0, info: 0 });
    f[e.type] += 1;
    totals[e.type] += 1;
  }
  return { invoked, ...totals, byFunction };
}

/**
 * The checkers (docs: packages/chaos/README.md "Real processes"):
 * - durability: the final R=2 read of every key is its writer's last
 *   acknowledged value, or a later maybe-applied one;
 * - no phantom: every value read (during the run or at the end) was written
 *   by a put of that key, and no failed write is ever read;
 * - reads: every acknowledged R=2 read during the run returned a value
 *   allowed by the same rule as durability at the time it was invoked;
 * - convergence: the N replicas of every key hold the same record, whose
 *   live value is the final read's.
 */
export function check(history: readonly HistoryEntry[], final: FinalState): Verdict[] {
  const keys = byKey(history);
  const written = new Map<string, Set<string>>();
  const failed = new Set<string>();
  for (const e of history) {
    if (e.f !== 'put' || typeof e.value !== 'string') continue;
    if (e.type === 'invoke') (written.get(e.key) ?? written.set(e.key, new Set()).get(e.key)!).add(e.value);
    if (e.type === 'fail') failed.add(e.value);
  }
  const phantom = (key: string, v: ReadValue): string | null => {
    for (const one of v === null ? [] : Array.isArray(v) ? v : [v]) {
      if (!written.get(key)?.has(one)) return `${key}: read ${JSON.stringify(one)}, never written`;
      if (failed.has(one)) return `${key}: read ${JSON.stringify(one)}, a write that failed (proved not applied)`;
    }
    return null;
  };

  const lost: string[] = [];
  const phantoms: string[] = [];
  const stale: string[] = [];
  const diverged: string[] = [];
  let reads = 0;
  for (const [key, done] of keys) {
    done.forEach((e, i) => {
      if (e.f !== 'get' || e.type !== 'ok') return;
      reads += 1;
      const p = phantom(key, e.value as ReadValue);
      if (p !== null) phantoms.push(`t=${e.time} via ${e.node}: ${p}`);
      const allowed = allowedValues(done.slice(0, i));
      if (!allowed.some((a) => same(a, e.value as ReadValue)))
        stale.push(`${key} t=${e.time} via ${e.node}: read ${show(e.value as ReadValue)}, allowed ${allowed.map(show).join(' or ')}`);
    });
    const got = final.reads.get(key);
    const allowed = allowedValues(done);
    if (got === undefined || got instanceof Error) lost.push(`${key}: final read failed: ${got === undefined ? 'not read' : got.message}`);
    else {
      const p = phantom(key, got);
      if (p !== null) phantoms.push(`final: ${p}`);
      if (!allowed.some((a) => same(a, got))) lost.push(`${key}: final read ${show(got)}, expected ${allowed.map(show).join(' or ')}`);
    }
    const copies = final.replicas.get(key) ?? [];
    const first = copies[0];
    const agree = first !== undefined && copies.every((c) => c.record === first.record);
    const matches = first !== undefined && !(got instanceof Error) && got !== undefined && same(first.live, got);
    if (!agree || !matches)
      diverged.push(`${key}: ${copies.map((c) => `${c.node}=${c.record || '(none)'}`).join(' ')}; final read ${show(got ?? null)}`);
  }
  return [
    verdict('durability: every acknowledged write is in the final R=2 read (or a later maybe-applied one)', keys.size, lost),
    verdict('no phantom: every value read was written, and no failed write is read', reads + keys.size, phantoms),
    verdict('reads: every R=2 read during the run saw the last acknowledged write (or a later maybe-applied one)', reads, stale),
    verdict('convergence: the N replicas of every key hold the same record, the final read', keys.size, diverged),
  ];
}

/**
 * The run's verdict: every checker passed, except that under sloppy quorum
 * the `reads` checker is informational (a read need not see the last
 * acknowledged write when a fallback took it, Dynamo §4.6).
 */
export function judge(verdicts: readonly Verdict[], sloppyQuorum: boolean): { verdicts: Verdict[]; ok: boolean } {
  const marked = verdicts.map((v) => (sloppyQuorum && v.name.startsWith('reads') ? { ...v, informational: true } : v));
  return { verdicts: marked, ok: marked.every((v) => v.ok || v.informational === true) };
}
