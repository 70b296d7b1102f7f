import { Verdict, type CheckResult } from './CheckResult';

/** One replica's stored record of a key, canonical: every sibling (tombstones included) as bytes a checker can compare. */
export interface ReplicaRecord {
  /** Sibling versions, values (null: tombstone), writtenAt and expiresAt, sorted by version: see `canonicalRecord`. */
  readonly siblings: readonly ReplicaSibling[];
}

export interface ReplicaSibling {
  /** The version, hex. */
  readonly version: string;
  /** The value as text, or null for a tombstone. */
  readonly value: string | null;
  readonly writtenAt: number;
  readonly expiresAt?: number;
}

/** A record's canonical bytes (as a string): siblings sorted by version, every field in a fixed order. */
export function canonicalRecord(r: ReplicaRecord): string {
  return JSON.stringify(
    [...r.siblings]
      .sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0))
      .map((s) => [s.version, s.value, s.writtenAt, s.expiresAt ?? null]),
  );
}

/**
 * Convergence: after healing and anti-entropy, every replica of every key
 * holds byte-identical records. `replicas` maps each key to each of its
 * replicas' record, read from the replica itself (not through a
 * coordinator); a replica holding nothing has `{ siblings: [] }`.
 */
export function checkConvergence(replicas: ReadonlyMap<string, ReadonlyMap<string, ReplicaRecord>>): CheckResult {
  const v = new Verdict('convergence');
  for (const [key, byNode] of replicas) {
    v.count('keys');
    v.count('replicas', byNode.size);
    const distinct = new Map<string, string[]>();
    for (const [node, record] of byNode) {
      const c = canonicalRecord(record);
      distinct.set(c, [...(distinct.get(c) ?? []), node]);
    }
    if (distinct.size > 1) {
      v.flag({
        kind: 'diverged',
        key,
        message: `replicas of ${key} differ: ${[...distinct].map(([c, nodes]) => `${nodes.join(',')}=${c}`).join(' | ')}`,
        ops: [],
      });
    }
  }
  return v.result();
}
