import { pairOps, type HistoryOp } from '../history';
import { Verdict, type CheckResult } from './CheckResult';

/**
 * Sets under vector clocks: elements are added to shared sets by
 * read-modify-write with sibling union. `finalSets` holds, per set key, the
 * elements of a final read after healing (the union of its siblings).
 *
 * - lost add: an acknowledged `add` whose element the final read lacks;
 * - unread: a set that had adds but no final read.
 * Adds whose outcome is unknown may or may not be present; values never
 * added are the phantom checker's business.
 */
export function checkSetUnion(ops: readonly HistoryOp[], finalSets: ReadonlyMap<string, readonly string[]>): CheckResult {
  const v = new Verdict('set-union');
  const adds = new Map<string, { invoke: HistoryOp; completion: HistoryOp | undefined }[]>();
  for (const p of pairOps(ops)) {
    if (p.invoke.f !== 'add') continue;
    v.count(`adds-${p.completion?.type ?? 'info'}`);
    const list = adds.get(p.invoke.key) ?? [];
    list.push(p);
    adds.set(p.invoke.key, list);
  }
  for (const [key, list] of adds) {
    v.count('sets');
    const final = finalSets.get(key);
    if (final === undefined) {
      v.flag({ kind: 'unread', key, message: `set ${key} has adds but no final read`, ops: [] });
      continue;
    }
    const have = new Set(final);
    const lost = list.filter((p) => p.completion?.type === 'ok' && !have.has(String(p.invoke.value)));
    v.count('elements-final', have.size);
    if (lost.length > 0) {
      v.flag({
        kind: 'lost-add',
        key,
        message: `${lost.length} acknowledged add(s) missing from the final read of ${key}: ${lost.map((p) => JSON.stringify(p.invoke.value)).join(', ')}`,
        ops: lost.flatMap((p) => [p.invoke, p.completion!]),
      });
    }
  }
  return v.result();
}
