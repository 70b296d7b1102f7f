import { describe, expect, it } from '@jest/globals';
import { InsertCounter } from './InsertCounter';

describe('InsertCounter', () => {
  it('raises the limit only over a contiguous run of acknowledged inserts', () => {
    const c = new InsertCounter(3);
    expect(c.limit).toBe(3);
    const [a, b, d] = [c.next(), c.next(), c.next()];
    expect([a, b, d]).toEqual([3, 4, 5]);
    c.acknowledge(d);
    c.acknowledge(b);
    expect(c.limit).toBe(3);
    c.acknowledge(a);
    expect(c.limit).toBe(6);
    expect(c.next()).toBe(6);
  });
});
