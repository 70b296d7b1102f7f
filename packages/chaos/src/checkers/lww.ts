import { pairOps, type HistoryOp } from '../history';
import { Verdict, type CheckResult } from './CheckResult';
import { canonicalRecord, type ReplicaRecord } from './convergence';

/**
 * Last-write-wins: after healing every replica of a key holds exactly one
 * sibling, and it is the highest-timestamp version of the key — at least as
 * high as every acknowledged write's version (its `version`, from the write's
 * result) and as every version any replica holds — with the value that
 * write wrote when the history knows it. `compare` orders two versions (hex)
 * as the resolver does (conflict-lww's compareHlc).
 */
export function checkLww(
  ops: readonly HistoryOp[],
  replicas: ReadonlyMap<string, ReadonlyMap<string, ReplicaRecord>>,
  compare: (a: string, b: string) => number,
): CheckResult {
  const v = new Verdict('lww');
  const acked = new Map<string, { version: string; value: string | null; op: HistoryOp }[]>();
  for (const p of pairOps(ops)) {
    const c = p.completion;
    if (c?.type !== 'ok' || (c.f !== 'put' && c.f !== 'del') || c.version === undefined) continue;
    const list = acked.get(c.key) ?? [];
    list.push({ version: c.version, value: c.f === 'del' ? null : String(p.invoke.value), op: c });
    acked.set(c.key, list);
  }
  for (const [key, byNode] of replicas) {
    v.count('keys');
    const writes = acked.get(key) ?? [];
    const ops = writes.map((w) => w.op);
    const held = [...byNode].flatMap(([node, r]) => r.siblings.map((s) => ({ node, s })));
    const multi = [...byNode].find(([, r]) => r.siblings.length > 1);
    if (multi !== undefined) {
      v.flag({
        kind: 'siblings',
        key,
        message: `replica ${multi[0]} keeps ${multi[1].siblings.length} siblings of ${key} (LWW keeps one)`,
        ops,
      });
      continue;
    }
    const versions = [...writes.map((w) => w.version), ...held.map((h) => h.s.version)];
    if (versions.length === 0) continue;
    const top = versions.reduce((a, b) => (compare(a, b) >= 0 ? a : b));
    const behind = [...byNode].filter(([, r]) => r.siblings[0]?.version !== top).map(([node]) => node);
    if (behind.length > 0) {
      v.flag({
        kind: 'not-highest',
        key,
        message: `replicas ${behind.join(',')} of ${key} do not hold the highest version ${top}: ${[...byNode].map(([n, r]) => `${n}=${canonicalRecord(r)}`).join(' ')}`,
        ops,
      });
      continue;
    }
    const winner = writes.find((w) => w.version === top);
    const value = [...byNode.values()][0]?.siblings[0]?.value;
    if (winner !== undefined && value !== winner.value) {
      v.flag({
        kind: 'wrong-value',
        key,
        message: `${key} holds ${JSON.stringify(value)} under version ${top}, which wrote ${JSON.stringify(winner.value)}`,
        ops,
      });
    }
  }
  return v.result();
}
