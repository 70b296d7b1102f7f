import type { CausalContext, ConflictResolver, NodeId, Sibling } from '@dynamis/core';
import fc from 'fast-check';

/** One step of a generated history. Indices are taken modulo the node count. */
export interface HistoryStep {
  /** 'write': a client writes through `node`; 'sync': `node` sends its whole record to `other`. */
  readonly kind: 'write' | 'sync';
  readonly node: number;
  readonly other: number;
  /** For a write: the client first reads replica `other` and writes with that context (else a blind write). */
  readonly read: boolean;
  /** For a write: a delete (tombstone) instead of a value. */
  readonly del: boolean;
  /** Virtual milliseconds that pass before this step (0 = the same instant as the last). */
  readonly tick: number;
}

/** A write of a history: the context it carried, what its read returned, the sibling it made. */
export interface HistoryWrite {
  readonly context: CausalContext | undefined;
  readonly read: readonly Sibling[];
  readonly written: Sibling;
}

/** What running a history produced. */
export interface History {
  /** Every replica's record after every step (the sibling sets a resolver really meets). */
  readonly states: readonly (readonly Sibling[])[];
  /** Each replica's final record. */
  readonly finals: readonly (readonly Sibling[])[];
  readonly writes: readonly HistoryWrite[];
  /** The latest virtual time of the history. */
  readonly end: number;
}

/** Histories of 1–14 steps over `nodes` replicas (each also a coordinator). */
export function arbHistorySteps(maxSteps = 14): fc.Arbitrary<HistoryStep[]> {
  const step = fc.record({
    kind: fc.constantFrom<'write' | 'sync'>('write', 'write', 'sync'),
    node: fc.nat({ max: 15 }),
    other: fc.nat({ max: 15 }),
    read: fc.boolean(),
    del: fc.boolean(),
    tick: fc.constantFrom(0, 0, 1, 7, 1000),
  });
  return fc.array(step, { minLength: 1, maxLength: maxSteps });
}

/**
 * Runs a history the way a cluster would: one resolver per node (made by
 * `create`), each write stamped by its coordinator against the
 * coordinator's own record and merged into it, each sync merging one
 * replica's whole record into another's. Time starts at `start` and only
 * moves forward.
 */
export function runHistory(
  create: () => ConflictResolver,
  nodes: readonly NodeId[],
  steps: readonly HistoryStep[],
  start = 1_700_000_000_000,
): History {
  const resolvers = nodes.map(() => create());
  const replicas: (readonly Sibling[])[] = nodes.map(() => []);
  const states: (readonly Sibling[])[] = [];
  const writes: HistoryWrite[] = [];
  let now = start;
  steps.forEach((step, i) => {
    now += step.tick;
    const n = step.node % nodes.length;
    const o = step.other % nodes.length;
    const resolver = resolvers[n]!;
    if (step.kind === 'sync') {
      replicas[o] = resolvers[o]!.merge(replicas[o]!, replicas[n]!);
    } else {
      const read = replicas[o]!;
      const context = step.read ? resolver.context(read) : undefined;
      const version = resolver.stamp(nodes[n]!, context, replicas[n]!, now);
      const written: Sibling = { version, value: step.del ? null : Buffer.from(`w${i}@${nodes[n]}`), writtenAt: now };
      replicas[n] = resolver.merge(replicas[n]!, [written]);
      writes.push({ context, read, written });
    }
    states.push(...replicas);
  });
  return { states, finals: replicas, writes, end: now };
}

/** A deep copy of a sibling list (to check that a call did not mutate its inputs). */
export function copySiblings(siblings: readonly Sibling[]): Sibling[] {
  return siblings.map((s) => ({
    ...s,
    version: Uint8Array.from(s.version) as Sibling['version'],
    value: s.value === null ? null : Uint8Array.from(s.value),
  }));
}

/** Byte-for-byte equality of two siblings (version, value, times). */
export function sameSibling(a: Sibling, b: Sibling): boolean {
  return (
    Buffer.compare(a.version, b.version) === 0 &&
    (a.value === null || b.value === null ? a.value === b.value : Buffer.compare(a.value, b.value) === 0) &&
    a.writtenAt === b.writtenAt &&
    a.expiresAt === b.expiresAt
  );
}
