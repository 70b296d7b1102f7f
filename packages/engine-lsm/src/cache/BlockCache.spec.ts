import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { BlockCache } from './BlockCache';

describe('BlockCache', () => {
  it('admits a block on its second recent miss', () => {
    const c = new BlockCache<string>(1 << 20);
    expect(c.admit(3, 8192)).toBe(false);
    expect(c.admit(3, 8192)).toBe(true);
    expect(c.admit(3, 12288)).toBe(false);
    expect(c.admit(4, 8192)).toBe(false);
  });

  it('evicts least recently used entries to stay within budget', () => {
    const c = new BlockCache<string>(100);
    c.insert(1, 0, 'a', 40);
    c.insert(1, 4096, 'b', 40);
    expect(c.get(1, 0)).toBe('a'); // a is now most recent
    c.insert(2, 0, 'c', 40); // evicts b
    expect(c.get(1, 4096)).toBeUndefined();
    expect(c.get(1, 0)).toBe('a');
    expect(c.get(2, 0)).toBe('c');
    expect(c.usedBytes).toBe(80);
    expect(c.hits).toBe(3);
    expect(c.misses).toBe(1);
  });

  it('replaces an existing key, skips oversize entries, evicts a file', () => {
    const c = new BlockCache<string>(100);
    c.insert(1, 0, 'a', 10);
    c.insert(1, 0, 'a2', 20);
    expect(c.usedBytes).toBe(20);
    expect(c.get(1, 0)).toBe('a2');
    c.insert(3, 0, 'huge', 101);
    expect(c.get(3, 0)).toBeUndefined();
    c.insert(2, 0, 'x', 10);
    c.insert(2, 2 ** 31, 'y', 10);
    c.insert(3, 7, 'z', 10);
    c.evictFile(2);
    expect(c.size).toBe(2);
    expect(c.get(2, 0)).toBeUndefined();
    expect(c.get(3, 7)).toBe('z');
    c.clear();
    expect(c.size).toBe(0);
    expect(c.usedBytes).toBe(0);
  });

  it('behaves like a model LRU (property)', () => {
    const op = fc.oneof(
      fc.record({ t: fc.constant('get' as const), f: fc.nat(3), o: fc.nat(5) }),
      fc.record({ t: fc.constant('put' as const), f: fc.nat(3), o: fc.nat(5), c: fc.integer({ min: 1, max: 40 }) }),
      fc.record({ t: fc.constant('evict' as const), f: fc.nat(3) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 100 }), (ops) => {
        const cache = new BlockCache<number>(100);
        const model: { k: string; v: number; c: number }[] = []; // most recent last
        let v = 0;
        for (const o of ops) {
          const k = `${o.f}:${'o' in o ? o.o : 0}`;
          const i = model.findIndex((e) => e.k === k);
          if (o.t === 'get') {
            const got = cache.get(o.f, o.o);
            expect(got).toBe(i < 0 ? undefined : model[i]!.v);
            if (i >= 0) model.push(...model.splice(i, 1));
          } else if (o.t === 'put') {
            if (i >= 0) model.splice(i, 1);
            v++;
            cache.insert(o.f, o.o, v, o.c);
            model.push({ k, v, c: o.c });
            while (model.reduce((s, e) => s + e.c, 0) > 100) model.shift();
          } else {
            cache.evictFile(o.f);
            for (let j = model.length - 1; j >= 0; j--) if (model[j]!.k.startsWith(`${o.f}:`)) model.splice(j, 1);
          }
          expect(cache.usedBytes).toBe(model.reduce((s, e) => s + e.c, 0));
        }
      }),
    );
  });

  it('rejects a bad capacity', () => {
    expect(() => new BlockCache(-1)).toThrow(/capacity/);
  });
});
