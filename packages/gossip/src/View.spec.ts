import { describe, expect, it } from '@jest/globals';
import type { GossipEntry } from './messages';
import { View } from './View';

const NOW = 1_000_000;
const self: GossipEntry = { id: 'me', address: 'h:1', status: 'alive', incarnation: 500 };
const e = (id: string, status: GossipEntry['status'], incarnation: number): GossipEntry => ({
  id,
  address: `${id}:1`,
  status,
  incarnation,
});
const view = (maxMembers = 10, maxLeftMembers = 5): View => new View(self, { maxMembers, maxLeftMembers, maxClockSkewMs: 1000 });

describe('View merge rules', () => {
  it('adds a new member; a higher incarnation replaces it whatever the status; a lower one is stale', () => {
    const v = view();
    expect(v.merge(e('a', 'alive', 5), NOW, false)).toMatchObject({ kind: 'applied', before: undefined });
    expect(v.merge(e('a', 'dead', 6), NOW, false)).toMatchObject({ kind: 'applied', after: { status: 'dead', incarnation: 6 } });
    expect(v.merge(e('a', 'alive', 5), NOW, false)).toEqual({ kind: 'stale' });
    expect(v.merge(e('a', 'alive', 7), NOW, false)).toMatchObject({ kind: 'applied', after: { status: 'alive', incarnation: 7 } });
  });

  it('at one incarnation the higher rank wins: alive < leaving < suspect < dead < left', () => {
    const v = view();
    v.merge(e('a', 'alive', 5), NOW, false);
    for (const status of ['leaving', 'suspect', 'dead', 'left'] as const) {
      expect(v.merge(e('a', status, 5), NOW, false)).toMatchObject({ kind: 'applied', after: { status } });
    }
    for (const status of ['alive', 'leaving', 'suspect', 'dead'] as const)
      expect(v.merge(e('a', status, 5), NOW, false)).toEqual({ kind: 'stale' });
  });

  it('in a full sync, dead is taken as suspect for a member held alive (it gets a suspicion period to refute)', () => {
    const v = view();
    v.merge(e('a', 'alive', 5), NOW, false);
    expect(v.merge(e('a', 'dead', 5), NOW, true)).toMatchObject({ kind: 'applied', after: { status: 'suspect' } });
    expect(v.merge(e('b', 'dead', 5), NOW, true)).toMatchObject({ kind: 'applied', after: { status: 'dead' } }); // unknown: as is
  });

  it('refuses members beyond maxMembers and incarnations ahead of the clock by more than the skew', () => {
    const v = view(3);
    v.merge(e('a', 'alive', 1), NOW, false);
    v.merge(e('b', 'alive', 1), NOW, false);
    expect(v.merge(e('c', 'alive', 1), NOW, false)).toEqual({ kind: 'drop', reason: 'view-full', refute: false });
    expect(v.merge(e('a', 'alive', 2), NOW, false).kind).toBe('applied'); // known members still update
    expect(v.merge(e('a', 'alive', NOW + 1001), NOW, false)).toEqual({ kind: 'drop', reason: 'incarnation-ahead', refute: false });
    expect(v.merge(e('a', 'alive', NOW + 1000), NOW, false).kind).toBe('applied');
  });

  it('this node alone raises its own incarnation: accusations at it are refuted, its own statuses from others refused', () => {
    const v = view();
    expect(v.merge(e('me', 'suspect', 500), NOW, false)).toEqual({ kind: 'refute' });
    expect(v.merge(e('me', 'dead', 500), NOW, false)).toEqual({ kind: 'refute' });
    expect(v.merge(e('me', 'left', 500), NOW, false)).toEqual({ kind: 'drop', reason: 'self-authority', refute: true });
    expect(v.merge(e('me', 'leaving', 500), NOW, false)).toEqual({ kind: 'drop', reason: 'self-authority', refute: true });
    expect(v.merge(e('me', 'alive', 501), NOW, false)).toEqual({ kind: 'drop', reason: 'self-authority', refute: true });
    expect(v.merge(e('me', 'dead', 499), NOW, false)).toEqual({ kind: 'stale' });
    expect(v.self).toEqual(self);
    expect(v.bumpSelf('alive').entry).toMatchObject({ status: 'alive', incarnation: 501 });
    expect(v.merge(e('me', 'suspect', 500), NOW, false)).toEqual({ kind: 'stale' });
  });

  it('accuse changes only the incarnation it names, and only upwards; never self', () => {
    const v = view();
    v.merge(e('a', 'alive', 5), NOW, false);
    expect(v.accuse('a', 4, 'suspect')).toEqual({ kind: 'stale' });
    expect(v.accuse('a', 5, 'suspect')).toMatchObject({ kind: 'applied', after: { status: 'suspect', incarnation: 5 } });
    expect(v.accuse('a', 5, 'suspect')).toEqual({ kind: 'stale' });
    expect(v.accuse('a', 5, 'dead')).toMatchObject({ kind: 'applied', after: { status: 'dead' } });
    expect(v.accuse('me', 500, 'dead')).toEqual({ kind: 'stale' });
  });

  it('refuses a joinedAt or leftAt ahead of the clock by more than the skew', () => {
    const v = view();
    expect(v.merge({ ...e('a', 'alive', 1), joinedAt: NOW + 1001 }, NOW, false)).toEqual({
      kind: 'drop',
      reason: 'time-ahead',
      refute: false,
    });
    expect(v.merge({ ...e('a', 'left', 1), joinedAt: 5, leftAt: NOW + 1001 }, NOW, false)).toEqual({
      kind: 'drop',
      reason: 'time-ahead',
      refute: false,
    });
    expect(v.get('a')).toBeUndefined();
    expect(v.merge({ ...e('a', 'left', 1), joinedAt: NOW + 1000, leftAt: NOW + 1000 }, NOW, false).kind).toBe('applied');
    expect(v.latestEventTime()).toBe(NOW + 1000);
  });

  it('keeps at most maxLeftMembers left members: the one that left first is forgotten, the same whatever the arrival order', () => {
    const left = (id: string, leftAt: number): GossipEntry => ({ ...e(id, 'left', 1), joinedAt: 1, leftAt });
    const arrivals = [
      [left('a', 30), left('b', 10), left('c', 20), left('d', 40)],
      [left('d', 40), left('c', 20), left('a', 30), left('b', 10)],
      [left('b', 10), left('d', 40), left('a', 30), left('c', 20)],
    ];
    for (const order of arrivals) {
      const v = view(10, 3);
      v.merge(e('x', 'alive', 1), NOW, false);
      const evicted = order.flatMap((entry) => {
        const r = v.merge(entry, NOW, false);
        return r.kind === 'applied' && r.evicted !== undefined ? [r.evicted] : [];
      });
      expect(
        v
          .all()
          .map((x) => x.id)
          .sort(),
      ).toEqual(['a', 'c', 'd', 'me', 'x']);
      expect(evicted.length).toBeLessThanOrEqual(1); // b is evicted once, or refused outright when it came last
    }
    // A member held alive that leaves first of all is forgotten at once (applied, and evicted itself).
    const v = view(10, 1);
    v.merge(e('x', 'alive', 1), NOW, false);
    v.merge(left('a', 30), NOW, false);
    expect(v.merge(left('x', 10), NOW, false)).toMatchObject({ kind: 'applied', after: { id: 'x' }, evicted: 'x' });
    expect(v.get('x')).toBeUndefined();
    // This node's own left entry counts but is never the one forgotten.
    expect(v.bumpSelf('left', 5)).toMatchObject({ entry: { status: 'left', leftAt: 5 }, evicted: 'a' });
    expect(v.self.leftAt).toBe(5);
  });
});
