import { pairOps, type HistoryOp, type PairedOp } from '../history';

/** Marks "the key has no live value" among the values a register may hold. */
export const ABSENT = '\u0000absent';

/** The register operations (put, get, del) of `ops`, paired, grouped by key, in invoke order. */
export function registerOpsByKey(ops: readonly HistoryOp[]): Map<string, PairedOp[]> {
  const byKey = new Map<string, PairedOp[]>();
  for (const p of pairOps(ops)) {
    if (p.invoke.f !== 'put' && p.invoke.f !== 'get' && p.invoke.f !== 'del') continue;
    const list = byKey.get(p.invoke.key) ?? [];
    list.push(p);
    byKey.set(p.invoke.key, list);
  }
  return byKey;
}

/** What a write leaves in the register: its value, or ABSENT for a delete. */
export function written(p: PairedOp): string {
  return p.invoke.f === 'del' ? ABSENT : String(p.invoke.value);
}

/** True for a write (put or del). */
export const isWrite = (p: PairedOp): boolean => p.invoke.f === 'put' || p.invoke.f === 'del';

/** 'ok' | 'fail' | 'info', a pending op (no outcome recorded) counting as 'info'. */
export const outcome = (p: PairedOp): 'ok' | 'fail' | 'info' => (p.completion?.type ?? 'info') as 'ok' | 'fail' | 'info';

/** Both records of each paired op. */
export const records = (ps: readonly PairedOp[]): HistoryOp[] =>
  ps.flatMap((p) => (p.completion === undefined ? [p.invoke] : [p.invoke, p.completion])).sort((a, b) => a.index - b.index);
