import { describe, expect, it } from '@jest/globals';
import { Broadcasts } from './Broadcasts';
import type { GossipEntry } from './messages';

const e = (id: string, incarnation = 1): GossipEntry => ({ id, address: `${id}:1`, status: 'alive', incarnation });

describe('Broadcasts (piggyback queue)', () => {
  it('hands out each update at most `limit` times, least-sent first, at most `max` per message', () => {
    const b = new Broadcasts();
    b.enqueue(e('a'));
    b.enqueue(e('b'));
    b.enqueue(e('c'));
    expect(b.take(2, 3).map((x) => x.id)).toEqual(['a', 'b']);
    expect(b.take(2, 3).map((x) => x.id)).toEqual(['c', 'a']);
    let sent = 0;
    for (let i = 0; i < 10; i++) sent += b.take(2, 3).length;
    expect(sent).toBe(9 - 4);
    expect(b.size).toBe(0);
  });

  it('keeps one update per member: a newer one replaces it and restarts its count', () => {
    const b = new Broadcasts();
    b.enqueue(e('a', 1));
    b.take(5, 2);
    b.enqueue(e('a', 2));
    expect(b.size).toBe(1);
    expect(b.take(5, 2)).toEqual([e('a', 2)]);
    expect(b.take(5, 2)).toEqual([e('a', 2)]);
    expect(b.take(5, 2)).toEqual([]);
  });

  it('skips, without counting, what the receiver just sent', () => {
    const b = new Broadcasts();
    b.enqueue(e('a'));
    b.enqueue(e('b'));
    expect(b.take(5, 1, new Map([['a', e('a')]]))).toEqual([e('b')]);
    expect(b.take(5, 1, new Map([['a', e('a', 0)]]))).toEqual([e('a')]); // an older copy is not the same
  });
});
