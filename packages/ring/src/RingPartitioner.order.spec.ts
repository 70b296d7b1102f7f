import { describe, expect, it } from '@jest/globals';
import type { Member } from '@dynamis/core';
import fc from 'fast-check';
import { RingPartitioner } from './RingPartitioner';

const POOL = ['n1', 'n2', 'n3', 'n9', 'n10', 'n11', 'node-2', 'node-10', 'a', 'b'];
const ZONES = ['east', 'west', 'north'];

/** A member set: distinct ids from POOL, each with a weight of 1–3 and maybe a zone. */
const setArb = fc.uniqueArray(
  fc.record({ id: fc.constantFrom(...POOL), weight: fc.integer({ min: 1, max: 3 }), zone: fc.option(fc.constantFrom(...ZONES)) }),
  { minLength: 1, maxLength: POOL.length, selector: (m) => m.id },
);
const member = (m: { id: string; weight: number; zone: string | null }): Member => ({
  id: m.id,
  address: `sim://${m.id}`,
  status: 'up',
  weight: m.weight,
  ...(m.zone === null ? {} : { zone: m.zone }),
});

describe('RingPartitioner placement is a function of the member set alone', () => {
  it('two nodes that saw the same members arrive in different orders and steps compute the same placement', () => {
    const m = (id: string): Member => ({ id, address: `sim://${id}`, status: 'up' });
    const one = new RingPartitioner();
    one.update([m('n1'), m('n2')]);
    one.update([m('n1'), m('n2'), m('n3')]);
    const a = one.update([m('n1'), m('n2'), m('n3'), m('n4'), m('n5')]);
    const other = new RingPartitioner();
    other.update([m('n5')]);
    other.update([m('n3'), m('n5'), m('n4')]);
    other.update([m('n4'), m('n1'), m('n3'), { ...m('n2'), status: 'down' }, m('n5'), m('n6')]);
    const b = other.update([m('n4'), m('n2'), m('n5'), m('n3'), m('n1'), { ...m('n6'), status: 'left' }]);
    expect(b.hash).toBe(a.hash);
    expect(b.partitions.map((p) => b.preferenceList(p.id, 3))).toEqual(a.partitions.map((p) => a.preferenceList(p.id, 3)));
  });

  it('for any member set, reached through any sequence of updates in any order, the hash and owners are those of a fresh ring', () => {
    fc.assert(
      fc.property(
        fc.array(setArb, { minLength: 0, maxLength: 4 }),
        setArb,
        fc.array(fc.nat(), { minLength: 12, maxLength: 12 }),
        (path, last, keys) => {
          const ring = new RingPartitioner({ partitions: 64 });
          for (const set of path) ring.update(set.map(member));
          const order = last.map(member).sort((x, y) => (keys[POOL.indexOf(x.id)]! % 7) - (keys[POOL.indexOf(y.id)]! % 7));
          const reached = ring.update(order);
          const fresh = new RingPartitioner({ partitions: 64 }).update(last.map(member));
          expect(reached.hash).toBe(fresh.hash);
          expect(reached.partitions.map((p) => reached.preferenceList(p.id, 1)[0])).toEqual(
            fresh.partitions.map((p) => fresh.preferenceList(p.id, 1)[0]),
          );
        },
      ),
      { numRuns: 100 },
    );
  });

  it('a changed weight, zone, time or status of a member already folded re-derives the ring (the cache is not reused)', () => {
    const at = (id: string, joinedAt: number, extra: Partial<Member> = {}): Member => ({
      id,
      address: `sim://${id}`,
      status: 'up',
      joinedAt,
      ...extra,
    });
    const first = [at('a', 1), at('b', 2), at('c', 3)];
    const changes: Member[][] = [
      [at('a', 1, { weight: 2 }), at('b', 2), at('c', 3), at('d', 4)],
      [at('a', 1, { zone: 'east' }), at('b', 2), at('c', 3), at('d', 4)],
      [at('a', 1), at('b', 2), at('c', 3, { status: 'left', leftAt: 3 }), at('d', 4)],
      [at('a', 1), at('b', 5), at('c', 3), at('d', 4)],
    ];
    for (const next of changes) {
      const ring = new RingPartitioner({ partitions: 64 });
      ring.update(first);
      expect(ring.update(next).hash).toBe(new RingPartitioner({ partitions: 64 }).update(next).hash);
    }
  });

  it('a history of joins and leaves seen in different steps and orders gives the placement of a fresh ring', () => {
    /** A history: members joining at distinct times 1..n (ms ×1000), some leaving later. */
    const historyArb = fc
      .uniqueArray(fc.record({ id: fc.constantFrom(...POOL), leaves: fc.boolean(), zone: fc.option(fc.constantFrom(...ZONES)) }), {
        minLength: 1,
        maxLength: POOL.length,
        selector: (h) => h.id,
      })
      .chain((joins) => fc.tuple(fc.constant(joins), fc.shuffledSubarray(joins.map((_, i) => i)), fc.array(fc.nat(), { minLength: 6 })));
    fc.assert(
      fc.property(historyArb, ([joins, leaveOrder, cuts]) => {
        // The events, in time order: joins at 1000·(i+1), then the leavers at later times in leaveOrder.
        const events: Array<{ id: string; member: Member }> = joins.map((h, i) => ({
          id: h.id,
          member: { ...member({ id: h.id, weight: 1, zone: h.zone }), joinedAt: 1000 * (i + 1) },
        }));
        let t = 1000 * (joins.length + 1);
        for (const i of leaveOrder) {
          if (!joins[i]!.leaves) continue;
          const joined = events.find((e) => e.id === joins[i]!.id)!.member;
          events.push({ id: joined.id, member: { ...joined, status: 'left', leftAt: (t += 1000) } });
        }
        /** Members after the first k events (the latest state of each). */
        const after = (k: number): Member[] => [...new Map(events.slice(0, k).map((e) => [e.id, e.member])).values()];
        const all = after(events.length);
        const fresh = new RingPartitioner({ partitions: 64 }).update(all);
        for (const steps of [cuts.slice(0, 3), cuts.slice(3)]) {
          const ring = new RingPartitioner({ partitions: 64 });
          for (const k of steps) {
            const seen = after(k % (events.length + 1)).reverse();
            // Odd cuts see the members without times yet (as gossip publishes a seed not heard from): other events, other order.
            ring.update(k % 2 === 1 ? seen.map(({ joinedAt: _, leftAt: __, ...m }) => ({ ...m, status: 'up' })) : seen);
          }
          const reached = ring.update([...all].sort((a, b) => (a.address < b.address ? 1 : -1)));
          expect(reached.hash).toBe(fresh.hash);
        }
        expect(fresh.nodes).toEqual(
          all
            .filter((m) => m.status !== 'left')
            .map((m) => m.id)
            .sort(),
        );
      }),
      { numRuns: 100 },
    );
  });
});
