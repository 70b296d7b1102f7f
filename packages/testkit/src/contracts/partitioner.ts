import { describe, expect, it } from '@jest/globals';
import { DynamisError, keyHash, partitionOfKey, type Member, type NodeId, type Partitioner, type Placement } from '@dynamis/core';
import fc from 'fast-check';

export interface PartitionerContractOptions {
  /** fast-check runs per property (default 40). */
  readonly numRuns?: number;
  /** Largest replica count the suite asks for (default 5). */
  readonly maxN?: number;
}

/** A member with status 'up', in `zone` when given. */
function member(id: NodeId, zone?: string): Member {
  return zone === undefined ? { id, address: `sim://${id}`, status: 'up' } : { id, address: `sim://${id}`, status: 'up', zone };
}

/** 1 to 9 members with distinct ids, some in zones. */
const membersArb: fc.Arbitrary<Member[]> = fc
  .uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 9 })
  .chain((ids) =>
    fc.tuple(fc.constant(ids), fc.array(fc.option(fc.constantFrom('za', 'zb', 'zc')), { minLength: ids.length, maxLength: ids.length })),
  )
  .map(([ids, zones]) => ids.map((i, k) => member(`node-${i}`, zones[k] ?? undefined)));

const keyArb = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 24 });

function thrownCode(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof DynamisError ? err.code : `not a DynamisError: ${String(err)}`;
  }
  return undefined;
}

function sameSet(a: readonly NodeId[], b: readonly NodeId[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

/** Everything a placement answers, to compare two placements or one placement over time. */
function describePlacement(p: Placement, n: number, keys: readonly string[]): unknown {
  return {
    hash: p.hash,
    q: p.partitionCount,
    nodes: [...p.nodes],
    lists: p.partitions.map((b) => [[...p.preferenceList(b.id, n)], [...p.fallbacks(b.id, n)]]),
    keys: keys.map((k) => [p.partitionOf(k), [...p.preferenceList(k, n)]]),
  };
}

/**
 * The Partitioner port's contract suite. Call it at the top level of a spec
 * file: `partitionerContract('my ring', () => new MyPartitioner())`. `factory`
 * must return a fresh partitioner with no members yet, configured the same
 * way each time (the suite compares two of them for determinism).
 */
export function partitionerContract(name: string, factory: () => Partitioner, options: PartitionerContractOptions = {}): void {
  const numRuns = options.numRuns ?? 40;
  const maxN = options.maxN ?? 5;
  const nArb = fc.integer({ min: 0, max: maxN });
  const prop = <T>(arb: fc.Arbitrary<T>, check: (value: T) => void): void => {
    fc.assert(
      fc.property(arb, (v) => {
        check(v);
      }),
      { numRuns },
    );
  };

  describe(`Partitioner contract: ${name}`, () => {
    it('starts with an empty placement: no nodes, empty preference lists, every partition with its bounds', () => {
      const p = factory().placement();
      expect(p.nodes).toEqual([]);
      expect(p.preferenceList('k', 3)).toEqual([]);
      expect(p.fallbacks('k', 3)).toEqual([]);
      expect(p.partitions).toHaveLength(p.partitionCount);
    });

    it('is deterministic: the same members, in any order, give the same placement on two partitioners', () => {
      prop(fc.tuple(membersArb, nArb, fc.array(keyArb, { maxLength: 8 })), ([members, n, keys]) => {
        const a = factory().update(members);
        const b = factory().update([...members].reverse());
        expect(describePlacement(b, n, keys)).toEqual(describePlacement(a, n, keys));
      });
    });

    it('partitions are Q equal, contiguous ranges covering the 64-bit key-hash space', () => {
      const p = factory().update([member('a'), member('b')]);
      const q = p.partitionCount;
      expect(Number.isInteger(q) && q >= 1 && (q & (q - 1)) === 0).toBe(true);
      const width = (1n << 64n) / BigInt(q);
      p.partitions.forEach((b, i) => {
        expect(b).toEqual({ id: i, start: BigInt(i) * width, end: BigInt(i + 1) * width });
      });
    });

    it("maps every key into its partition's hash bounds, as the core key hash says", () => {
      const p = factory().update([member('a'), member('b'), member('c')]);
      prop(keyArb, (key) => {
        const id = p.partitionOf(key);
        const h = keyHash(key);
        const bounds = p.partitions[id]!;
        expect(h >= bounds.start && h < bounds.end).toBe(true);
        expect(id).toBe(partitionOfKey(key, p.partitionCount));
        expect(p.preferenceList(key, 3)).toEqual(p.preferenceList(id, 3));
      });
    });

    it('owns every partition, and lists only members that have not left', () => {
      prop(membersArb, (members) => {
        const gone: Member = { id: 'node-gone', address: 'sim://gone', status: 'left' };
        const down: Member = { id: 'node-down', address: 'sim://down', status: 'down' };
        const p = factory().update([...members, gone, down]);
        expect([...p.nodes]).toEqual([...members.map((m) => m.id), down.id].sort());
        for (const b of p.partitions) expect(p.preferenceList(b.id, 1)).toHaveLength(1);
      });
    });

    it('preference lists hold min(n, nodes) distinct nodes; fallbacks are the other nodes; lists grow by prefix', () => {
      prop(fc.tuple(membersArb, nArb, keyArb), ([members, n, key]) => {
        const p = factory().update(members);
        const list = p.preferenceList(key, n);
        const rest = p.fallbacks(key, n);
        expect(list).toHaveLength(Math.min(n, members.length));
        expect(new Set(list).size).toBe(list.length);
        expect(rest.filter((x) => list.includes(x))).toEqual([]);
        expect([...list, ...rest].sort()).toEqual([...p.nodes]);
        expect(p.preferenceList(key, n + 1).slice(0, n)).toEqual([...list]);
      });
    });

    it('a placement never changes after update(), and its lists are frozen', () => {
      prop(fc.tuple(membersArb, membersArb, nArb, fc.array(keyArb, { maxLength: 8 })), ([first, second, n, keys]) => {
        const partitioner = factory();
        const before = partitioner.update(first);
        const seen = describePlacement(before, n, keys);
        expect(partitioner.placement()).toBe(before);
        const after = partitioner.update(second);
        expect(partitioner.placement()).toBe(after);
        expect(describePlacement(before, n, keys)).toEqual(seen);
        expect(Object.isFrozen(before.preferenceList(0, n))).toBe(true);
        expect(Object.isFrozen(before.fallbacks(0, n))).toBe(true);
        expect(Object.isFrozen(before.nodes)).toBe(true);
        expect(Object.isFrozen(before.partitions)).toBe(true);
      });
    });

    it('update() with the same members changes nothing', () => {
      prop(membersArb, (members) => {
        const partitioner = factory();
        const first = partitioner.update(members);
        const again = partitioner.update([...members].reverse());
        expect(again.hash).toBe(first.hash);
        expect(again.transfers(first, 3)).toEqual([]);
      });
    });

    it('transfers list exactly the partitions whose replica sets differ, with who gains and who loses', () => {
      prop(fc.tuple(membersArb, membersArb, fc.integer({ min: 1, max: maxN })), ([first, second, n]) => {
        const partitioner = factory();
        const older = partitioner.update(first);
        const newer = partitioner.update(second);
        const moves = newer.transfers(older, n);
        const expected = newer.partitions
          .map((b) => ({ partition: b.id, from: older.preferenceList(b.id, n), to: newer.preferenceList(b.id, n) }))
          .filter((t) => !sameSet(t.from, t.to));
        expect(moves.map((t) => [t.partition, [...t.from], [...t.to]])).toEqual(expected.map((t) => [t.partition, [...t.from], [...t.to]]));
        for (const t of moves) {
          expect([...t.gaining]).toEqual(t.to.filter((x) => !t.from.includes(x)));
          expect([...t.losing]).toEqual(t.from.filter((x) => !t.to.includes(x)));
        }
      });
    });

    it('a change of order alone is not a transfer', () => {
      const p = factory().update(['a', 'b', 'c', 'd'].map((id) => member(id)));
      const reordered: Placement = { ...pick(p), preferenceList: (t, n) => [...p.preferenceList(t, n)].reverse() };
      expect(p.transfers(reordered, 3)).toEqual([]);
      const shrunk: Placement = { ...pick(p), preferenceList: (t, n) => p.preferenceList(t, n).slice(1) };
      expect(p.transfers(shrunk, 3)).toHaveLength(p.partitionCount);
    });

    it('a join moves partitions only onto the new node, a leave only off the leaving node', () => {
      prop(membersArb, (members) => {
        const partitioner = factory();
        const base = partitioner.update(members);
        const joined = partitioner.update([...members, member('node-new')]);
        for (const t of joined.transfers(base, 1)) expect(t.to).toEqual(['node-new']);
        const left = partitioner.update(members);
        for (const t of left.transfers(joined, 1)) expect(t.from).toEqual(['node-new']);
      });
    });

    it('rejects bad arguments with INVALID_ARGUMENT', () => {
      const partitioner = factory();
      const p = partitioner.update([member('a'), member('b')]);
      expect(thrownCode(() => p.preferenceList('k', -1))).toBe('INVALID_ARGUMENT');
      expect(thrownCode(() => p.preferenceList('k', 1.5))).toBe('INVALID_ARGUMENT');
      expect(thrownCode(() => p.fallbacks(p.partitionCount, 1))).toBe('INVALID_ARGUMENT');
      expect(thrownCode(() => p.preferenceList(-1, 1))).toBe('INVALID_ARGUMENT');
      expect(thrownCode(() => p.partitionOf(7 as unknown as string))).toBe('INVALID_ARGUMENT');
      expect(thrownCode(() => partitioner.update([member('a'), member('a')]))).toBe('INVALID_ARGUMENT');
      expect(partitioner.placement()).toBe(p);
      const otherQ: Placement = { ...pick(p), partitionCount: p.partitionCount * 2 };
      expect(thrownCode(() => p.transfers(otherQ, 1))).toBe('INVALID_ARGUMENT');
    });
  });
}

/** A plain-object copy of `p` (methods bound), to alter one field. */
function pick(p: Placement): Placement {
  return {
    hash: p.hash,
    partitionCount: p.partitionCount,
    nodes: p.nodes,
    partitions: p.partitions,
    partitionOf: (k) => p.partitionOf(k),
    preferenceList: (t, n) => p.preferenceList(t, n),
    fallbacks: (t, n) => p.fallbacks(t, n),
    transfers: (o, n) => p.transfers(o, n),
  };
}
