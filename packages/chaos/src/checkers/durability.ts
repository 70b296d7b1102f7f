import type { HistoryOp } from '../history';
import { Verdict, type CheckResult } from './CheckResult';
import { ABSENT, isWrite, outcome, records, registerOpsByKey, written } from './registerHistory';

/**
 * Acknowledged durability of registers (W + R > N, primaries only, one
 * writer per key). `finalReads` holds, for each key, the live values a
 * quorum read returned after the faults stopped and repair ran ([] = not
 * found; a key missing from the map was not read and is flagged).
 *
 * For each key, with `a` its last acknowledged write (put or del), and
 * "unknown writes" those whose outcome is 'info' or still pending — which,
 * their completion being unknown, may take effect at any time after their
 * invocation (Jepsen's indeterminate operations), even after `a`:
 * - lost write: the final read does not hold `a` (its value among the
 *   siblings; for a delete, nothing live), although no write was invoked
 *   after `a` (failed ones aside) and what it holds is not explained by
 *   unknown writes alone;
 * - foreign value: the final read holds a value that is neither `a`'s nor an
 *   unknown write's: a failed write, a superseded acknowledged write, or a
 *   value never written to this key.
 * A key never acknowledged may read as nothing or as any unknown write.
 * `counts['overwritten-by-unknown']` counts keys whose last acknowledged
 * write lost to an unknown write invoked before it (legal in this model;
 * under LWW, what clock skew does: docs/GUARANTEES.md).
 */
export function checkDurability(ops: readonly HistoryOp[], finalReads: ReadonlyMap<string, readonly string[]>): CheckResult {
  const v = new Verdict('durability');
  for (const [key, list] of registerOpsByKey(ops)) {
    const writes = list.filter(isWrite);
    if (writes.length === 0) continue;
    v.count('keys');
    for (const w of writes) v.count(`writes-${outcome(w)}`);
    const final = finalReads.get(key);
    if (final === undefined) {
      v.flag({ kind: 'unread', key, message: `key ${key} has writes but no final read`, ops: records(writes) });
      continue;
    }
    const held = final.length === 0 ? [ABSENT] : final;
    const lastOk = writes.map((w, i) => (outcome(w) === 'ok' ? i : -1)).reduce((a, b) => Math.max(a, b), -1);
    const allowed = new Set(writes.filter((w) => outcome(w) === 'info').map(written));
    if (lastOk < 0) allowed.add(ABSENT);
    else allowed.add(written(writes[lastOk]!));
    const supersededLater = writes.slice(lastOk + 1).some((w) => outcome(w) !== 'fail');
    const unknown = new Set(writes.filter((w) => outcome(w) === 'info').map(written));
    if (lastOk >= 0 && !supersededLater && !held.includes(written(writes[lastOk]!)) && held.every((x) => unknown.has(x))) {
      v.count('overwritten-by-unknown');
    } else if (lastOk >= 0 && !supersededLater && !held.includes(written(writes[lastOk]!))) {
      v.flag({
        kind: 'lost-write',
        key,
        message: `acknowledged ${show(written(writes[lastOk]!))} (op ${writes[lastOk]!.invoke.index}) is not what the final read holds: ${held.map(show).join(', ')}`,
        ops: records(writes),
      });
      continue;
    }
    const foreign = held.filter((x) => !allowed.has(x));
    if (foreign.length > 0) {
      v.flag({
        kind: 'foreign-value',
        key,
        message: `the final read holds ${foreign.map(show).join(', ')}, which no acknowledged-last or unknown write wrote`,
        ops: records(writes),
      });
    }
  }
  return v.result();
}

const show = (x: string): string => (x === ABSENT ? '(nothing)' : JSON.stringify(x));
