import { describe, expect, it } from '@jest/globals';
import { DynamisError, type Member } from '@dynamis/core';
import { ringPartitioner } from './plugin';
import { RingPartitioner } from './RingPartitioner';
import { RingPlacement } from './RingPlacement';

const up = (id: string, extra: Partial<Member> = {}): Member => ({ id, address: `sim://${id}`, status: 'up', ...extra });
const owned = (ring: RingPartitioner, members: Member[]): Map<string, number> => {
  const p = ring.update(members);
  const out = new Map<string, number>();
  for (const b of p.partitions) {
    const owner = p.preferenceList(b.id, 1)[0]!;
    out.set(owner, (out.get(owner) ?? 0) + 1);
  }
  return out;
};
const configError = (fn: () => unknown): DynamisError => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(DynamisError);
    expect((err as DynamisError).code).toBe('INVALID_CONFIG');
    return err as DynamisError;
  }
  throw new Error('expected INVALID_CONFIG');
};

describe('RingPartitioner options', () => {
  it('refuses a partition count that is not a power of two, unknown keys and bad weights, naming the key', () => {
    expect(configError(() => new RingPartitioner({ partitions: 100 })).message).toContain('partitions');
    expect(configError(() => ringPartitioner({ partitions: 0 })).message).toContain('partitions');
    expect(configError(() => new RingPartitioner({ tokens: 8 } as never)).message).toContain('tokens');
    expect(configError(() => new RingPartitioner({ weights: { a: -1 } })).message).toContain('weights');
    expect(configError(() => new RingPartitioner({ targetN: 0 })).message).toContain('targetN');
  });

  it('returns the very same placement when only liveness changed (a down member keeps its partitions), a new one when the claim changes', () => {
    const ring = new RingPartitioner({ partitions: 64 });
    const first = ring.update([up('a'), up('b'), up('c')]);
    const down = ring.update([up('a'), { ...up('b'), status: 'down' }, up('c')]);
    expect(down).toBe(first);
    const joined = ring.update([up('a'), up('b'), up('c'), up('d', { joinedAt: 5 })]);
    expect(joined).not.toBe(first);
    expect(joined.hash).not.toBe(first.hash);
    expect(ring.update([up('a'), up('b', { weight: 2 }), up('c'), up('d', { joinedAt: 5 })]).hash).not.toBe(joined.hash);
  });

  it('does not place an unverified joining member (known from a third party only): same placement as without it, partitions only once it is up', () => {
    const ring = new RingPartitioner({ partitions: 64 });
    const first = ring.update([up('a'), up('b'), up('c')]);
    const withJoining = ring.update([
      up('a'),
      up('b'),
      up('c'),
      up('fake', { status: 'joining', unverified: true, joinedAt: 1, weight: 4 }),
    ]);
    expect(withJoining).toBe(first);
    expect([...owned(ring, [up('a'), up('b'), up('fake', { status: 'joining', unverified: true }), up('c')]).keys()].sort()).toEqual([
      'a',
      'b',
      'c',
    ]);
    expect(owned(ring, [up('a'), up('b'), up('c'), up('fake', { joinedAt: 1 })]).get('fake')).toBeGreaterThan(0);
  });

  it('places a joining member the operator named (a configured seed not heard from yet), at joinedAt 0', () => {
    const ring = new RingPartitioner({ partitions: 64 });
    expect(owned(ring, [up('a'), up('b', { status: 'joining' }), up('c')]).get('b')).toBeGreaterThan(0);
    expect(ring.update([up('a'), up('b', { status: 'joining' }), up('c')]).hash).toBe(ring.update([up('a'), up('b'), up('c')]).hash);
  });

  it('uses `partitions` as Q', () => {
    expect(new RingPartitioner().placement().partitionCount).toBe(256);
    expect(new RingPartitioner({ partitions: 1024 }).update([up('a')]).partitions).toHaveLength(1024);
  });

  it("gives a node partitions in proportion to its weight; the weights option overrides the member's", () => {
    expect(owned(new RingPartitioner({ partitions: 64 }), [up('a', { weight: 2 }), up('b'), up('c', { weight: 1 })])).toEqual(
      new Map([
        ['a', 32],
        ['b', 16],
        ['c', 16],
      ]),
    );
    const ring = new RingPartitioner({ partitions: 64, weights: { b: 3 } });
    expect(owned(ring, [up('a', { weight: 2 }), up('b', { weight: 1 })]).get('b')).toBe(38);
  });

  it('refuses a member weight that is not positive and finite, keeping the current placement', () => {
    const ring = new RingPartitioner();
    const before = ring.update([up('a')]);
    for (const weight of [0, -1, Number.POSITIVE_INFINITY, Number.NaN]) {
      expect(() => ring.update([up('a'), up('b', { weight })])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
    expect(ring.placement()).toBe(before);
  });

  it('refuses a joinedAt or leftAt that is not a finite number ≥ 0, keeping the current placement', () => {
    const ring = new RingPartitioner();
    const before = ring.update([up('a', { joinedAt: 5 })]);
    for (const t of [-1, Number.NaN, Number.POSITIVE_INFINITY, '7' as unknown as number]) {
      expect(() => ring.update([up('a'), up('b', { joinedAt: t })])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      expect(() => ring.update([up('a'), up('b', { status: 'left', joinedAt: 1, leftAt: t })])).toThrow(
        expect.objectContaining({ code: 'INVALID_ARGUMENT', details: { member: 'b', leftAt: t } }),
      );
    }
    expect(ring.placement()).toBe(before);
    // A left member without leftAt is no history at all: as if it never joined.
    expect(ring.update([up('a'), up('b', { status: 'left', joinedAt: 1 })]).hash).toBe(new RingPartitioner().update([up('a')]).hash);
  });

  it('zoneAware: false places exactly as if no member had a zone', () => {
    const zoned = ['a', 'b', 'c', 'd'].map((id, i) => up(id, { zone: i < 2 ? 'east' : 'west' }));
    const plain = ['a', 'b', 'c', 'd'].map((id) => up(id));
    const ignoring = new RingPartitioner({ zoneAware: false }).update(zoned);
    expect(ignoring.hash).toBe(new RingPartitioner().update(plain).hash);
    expect(ignoring.hash).not.toBe(new RingPartitioner().update(zoned).hash);
  });

  it('with more nodes than partitions, the nodes without a partition come last, as fallbacks', () => {
    const p = new RingPartitioner({ partitions: 4 }).update(['a', 'b', 'c', 'd', 'e', 'f'].map((id) => up(id)));
    const owners = new Set(p.partitions.map((b) => p.preferenceList(b.id, 1)[0]));
    expect(owners.size).toBe(4);
    const idle = ['a', 'b', 'c', 'd', 'e', 'f'].filter((id) => !owners.has(id));
    expect(p.preferenceList(0, 6).slice(4)).toEqual(idle);
    expect(p.fallbacks(0, 4)).toEqual(idle);
  });
});

describe('RingPlacement caching', () => {
  it('answers the same whatever order the questions come in (prefixes are extended, never cut)', () => {
    const members = Array.from({ length: 12 }, (_, i) => up(`n${i}`, { zone: ['x', 'y', 'z'][i % 3] }));
    const asked = new RingPartitioner({ partitions: 64 }).update(members);
    const fresh = new RingPartitioner({ partitions: 64 }).update(members);
    for (const b of asked.partitions) {
      const small = [1, 2, 5, 9, 12].map((n) => [...asked.preferenceList(b.id, n)]);
      const rest = [...asked.fallbacks(b.id, 3)];
      const full = [...fresh.fallbacks(b.id, 0)];
      expect(full).toHaveLength(12);
      expect(small).toEqual([1, 2, 5, 9, 12].map((n) => full.slice(0, n)));
      expect(rest).toEqual(full.slice(3));
      expect([...fresh.preferenceList(b.id, 7)]).toEqual(full.slice(0, 7));
    }
  });
});

describe('RingPlacement construction', () => {
  it('refuses owners that are not one per partition, or not among the nodes', () => {
    const zones = new Map([['a', 'n:a']]);
    expect(() => new RingPlacement(4, ['a', 'a'], zones)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new RingPlacement(2, ['a', 'b'], zones)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => new RingPlacement(3, ['a', 'a', 'a'], zones)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(new RingPlacement(2, ['a', 'a'], zones).preferenceList(1, 2)).toEqual(['a']);
  });
});

describe('ringPartitioner plugin', () => {
  it('provides the Partitioner and needs nothing', () => {
    const plugin = ringPartitioner({ partitions: 64 });
    expect(plugin.name).toBe('@dynamis/ring');
    expect(plugin.provides).toEqual(['Partitioner']);
    expect(plugin.needs).toEqual([]);
  });
});
