import { pairOps, type HistoryOp } from '../history';
import { Verdict, type CheckResult } from './CheckResult';
import { outcome, records, registerOpsByKey } from './registerHistory';

/**
 * No phantom values and no resurrection.
 *
 * - phantom: a value read (a `get` or `read-set` ok, or a final read in
 *   `finalReads`) that no `put` or `add` of that key was ever invoked with;
 * - resurrection: after an acknowledged delete of a key, with no `put` of it
 *   invoked afterwards, a later successful read (or the final read) returns
 *   a value. "Afterwards" is history order: reads invoked after the delete's
 *   acknowledgement and acknowledged before the next put of the key was
 *   invoked (a read concurrent with a put may see it). A value written by
 *   a put whose outcome is unknown ('info' or pending) is no resurrection:
 *   that put may take effect after the delete (counted as
 *   `counts['unknown-after-delete']`).
 */
export function checkPhantoms(ops: readonly HistoryOp[], finalReads: ReadonlyMap<string, readonly string[]>): CheckResult {
  const v = new Verdict('phantoms');
  const writtenTo = new Map<string, Set<string>>();
  for (const op of ops) {
    if (op.type !== 'invoke' || (op.f !== 'put' && op.f !== 'add') || typeof op.value !== 'string') continue;
    const set = writtenTo.get(op.key) ?? new Set<string>();
    set.add(op.value);
    writtenTo.set(op.key, set);
  }
  const phantom = (key: string, values: readonly string[], what: string, shown: readonly HistoryOp[]): void => {
    v.count('values-read', values.length);
    const bad = values.filter((x) => !writtenTo.get(key)?.has(x));
    if (bad.length > 0)
      v.flag({
        kind: 'phantom',
        key,
        message: `${what} returned ${bad.map((b) => JSON.stringify(b)).join(', ')}, never written to ${key}`,
        ops: shown,
      });
  };
  for (const p of pairOps(ops)) {
    const c = p.completion;
    if (c?.type === 'ok' && (c.f === 'get' || c.f === 'read-set') && Array.isArray(c.value))
      phantom(c.key, c.value as string[], `read (op ${c.index})`, [p.invoke, c]);
  }
  for (const [key, values] of finalReads)
    phantom(
      key,
      values,
      'the final read',
      ops.filter((o) => o.key === key && o.type === 'invoke' && (o.f === 'put' || o.f === 'add')),
    );
  for (const [key, list] of registerOpsByKey(ops)) {
    const unknown = new Set(list.filter((p) => p.invoke.f === 'put' && outcome(p) === 'info').map((p) => String(p.invoke.value)));
    const revived = (values: readonly string[]): boolean => {
      if (values.length === 0) return false;
      if (values.every((x) => unknown.has(x))) {
        v.count('unknown-after-delete');
        return false;
      }
      return true;
    };
    list.forEach((d, i) => {
      if (d.invoke.f !== 'del' || outcome(d) !== 'ok') return;
      v.count('deletes-ok');
      const rest = list.slice(i + 1);
      const nextPut = rest.findIndex((p) => p.invoke.f === 'put');
      const window = nextPut < 0 ? rest : rest.slice(0, nextPut);
      const ackedAt = d.completion!.index;
      const putAt = nextPut < 0 ? Infinity : rest[nextPut]!.invoke.index;
      for (const r of window) {
        const c = r.completion;
        if (r.invoke.f !== 'get' || c?.type !== 'ok' || r.invoke.index < ackedAt || c.index > putAt || !revived(c.value as string[]))
          continue;
        v.flag({
          kind: 'resurrection',
          key,
          message: `read (op ${c.index}) after acknowledged delete (op ${d.invoke.index}) returned ${JSON.stringify(c.value)}`,
          ops: records(list),
        });
        return;
      }
      const final = finalReads.get(key);
      if (nextPut < 0 && final !== undefined && revived(final)) {
        v.flag({
          kind: 'resurrection',
          key,
          message: `final read after acknowledged delete (op ${d.invoke.index}) returned ${JSON.stringify(final)}`,
          ops: records(list),
        });
      }
    });
  }
  return v.result();
}
