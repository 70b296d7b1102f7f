import { describe, expect, it } from '@jest/globals';
import type { IteratorOptions, StorageEngine } from '@dynamis/core';
import { b, drain, EngineHarness, expectRejects, hex, hexEntries } from './storageEngineHelpers';

/** Keys 0x10, 0x20, ... 0x90 (one byte each), valued by their index. */
const KEYS = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90];

async function fill(e: StorageEngine): Promise<void> {
  await e.write(KEYS.map((k, i) => ({ type: 'put' as const, key: b(k), value: b(i) })));
}

/** The keys (as numbers) the options select, in iteration order, by a naive filter. */
function expected(o: IteratorOptions): number[] {
  const lo = o.gt ?? o.gte;
  const hi = o.lt ?? o.lte;
  const out = KEYS.filter((k) => {
    if (lo !== undefined) {
      const c = Buffer.compare(b(k), lo);
      if (c < 0 || (c === 0 && o.gt !== undefined)) return false;
    }
    if (hi !== undefined) {
      const c = Buffer.compare(b(k), hi);
      if (c > 0 || (c === 0 && o.lt !== undefined)) return false;
    }
    return true;
  });
  if (o.reverse === true) out.reverse();
  const limit = o.limit ?? -1;
  return limit >= 0 ? out.slice(0, limit) : out;
}

async function keysOf(e: StorageEngine, o: IteratorOptions): Promise<number[]> {
  return (await drain(e.iterator(o))).map(([k]) => (k.length === 1 ? (k[0] as number) : -1));
}

/** Every combination of lower/upper bounds, on a key, between keys and outside. */
function rangeCombos(): IteratorOptions[] {
  const points = [undefined, b(0x30), b(0x35), b(0x00), b(0x70), b(0x75), b(0xff), b(0x30, 0x00)];
  const out: IteratorOptions[] = [];
  for (const lo of points) {
    for (const hi of points) {
      for (const lowerKind of ['gt', 'gte'] as const) {
        for (const upperKind of ['lt', 'lte'] as const) {
          const o: Record<string, Uint8Array> = {};
          if (lo !== undefined) o[lowerKind] = lo;
          if (hi !== undefined) o[upperKind] = hi;
          out.push(o);
        }
      }
    }
  }
  return out;
}

/** Iterators: order, bounds, limit, nextv, closing, snapshot isolation. */
export function iteratorCases(h: EngineHarness): void {
  describe('iterator', () => {
    it('over an empty engine ends at once', async () => {
      const e = await h.engine();
      const it = e.iterator();
      expect(await it.next()).toBeUndefined();
      expect(await it.next()).toBeUndefined();
      expect(await e.iterator({ reverse: true }).nextv(10)).toEqual([]);
    });

    it('yields every entry forward and in reverse', async () => {
      const e = await h.engine();
      await fill(e);
      expect(hexEntries(await drain(e.iterator()))).toEqual(KEYS.map((k, i) => [hex(b(k)), hex(b(i))]));
      expect(await keysOf(e, { reverse: true })).toEqual([...KEYS].reverse());
    });

    it('honours every gt/gte/lt/lte combination, both directions', async () => {
      const e = await h.engine();
      await fill(e);
      for (const o of rangeCombos()) {
        for (const reverse of [false, true]) {
          const opts = { ...o, reverse };
          expect({ opts, keys: await keysOf(e, opts) }).toEqual({ opts, keys: expected(opts) });
        }
      }
    });

    it('gt wins over gte and lt over lte', async () => {
      const e = await h.engine();
      await fill(e);
      const opts = { gt: b(0x30), gte: b(0x10), lt: b(0x60), lte: b(0x90) };
      expect(await keysOf(e, opts)).toEqual([0x40, 0x50]);
      expect(await keysOf(e, { ...opts, reverse: true })).toEqual([0x50, 0x40]);
      expect(await keysOf(e, { gte: b(0x50), gt: b(0x50) })).toEqual([0x60, 0x70, 0x80, 0x90]);
    });

    it('yields nothing for an inverted or empty range', async () => {
      const e = await h.engine();
      await fill(e);
      expect(await keysOf(e, { gte: b(0x60), lte: b(0x20) })).toEqual([]);
      expect(await keysOf(e, { gt: b(0x30), lt: b(0x30) })).toEqual([]);
      expect(await keysOf(e, { gte: b(0x30), lt: b(0x30), reverse: true })).toEqual([]);
      expect(await keysOf(e, { gte: b(0x30), lte: b(0x30) })).toEqual([0x30]);
    });

    it('honours limit (0, n, beyond the end, -1 and Infinity for none)', async () => {
      const e = await h.engine();
      await fill(e);
      for (const limit of [0, 1, 3, 9, 20, -1, Infinity]) {
        for (const reverse of [false, true]) {
          const opts = { gte: b(0x20), limit, reverse };
          expect({ limit, reverse, keys: await keysOf(e, opts) }).toEqual({ limit, reverse, keys: expected(opts) });
        }
      }
    });

    it('nextv returns batches, [] at the end, and honours limit', async () => {
      const e = await h.engine();
      await fill(e);
      const it = e.iterator();
      const got: number[] = [];
      for (let batch = await it.nextv(4); batch.length > 0; batch = await it.nextv(4)) {
        expect(batch.length).toBeLessThanOrEqual(4);
        for (const [k] of batch) got.push(k[0] as number);
      }
      expect(got).toEqual(KEYS);
      expect(await it.nextv(4)).toEqual([]);
      const limited = e.iterator({ limit: 5, reverse: true });
      const first = await limited.nextv(3);
      const second = await limited.nextv(3);
      expect([...first, ...second].map(([k]) => k[0])).toEqual([0x90, 0x80, 0x70, 0x60, 0x50]);
      expect(await limited.nextv(3)).toEqual([]);
      expect(await limited.next()).toBeUndefined();
      const all = await e.iterator().nextv(Infinity);
      expect(all.length).toBeGreaterThan(0);
    });

    it('mixes next and nextv', async () => {
      const e = await h.engine();
      await fill(e);
      const it = e.iterator({ gt: b(0x10) });
      const a = await it.next();
      const rest = await it.nextv(100);
      expect([a?.[0][0], ...rest.map(([k]) => k[0])]).toEqual(KEYS.slice(1));
      await it.close();
    });

    it('close() early is idempotent; next() after it resolves undefined', async () => {
      const e = await h.engine();
      await fill(e);
      const it = e.iterator();
      expect((await it.next())?.[0][0]).toBe(0x10);
      await it.close();
      await it.close();
      expect(await it.next()).toBeUndefined();
      expect(await it.nextv(5)).toEqual([]);
    });

    it('works with for await, and breaking out closes it', async () => {
      const e = await h.engine();
      await fill(e);
      const seen: number[] = [];
      for await (const [k] of e.iterator({ lt: b(0x40) })) seen.push(k[0] as number);
      expect(seen).toEqual([0x10, 0x20, 0x30]);
      const it = e.iterator();
      for await (const [k] of it) if (k[0] === 0x20) break;
      expect(await it.next()).toBeUndefined();
    });

    it('rejects overlapping next() calls with INVALID_ARGUMENT', async () => {
      const e = await h.engine();
      await fill(e);
      const it = e.iterator();
      const first = it.next();
      await expectRejects(() => it.next(), 'INVALID_ARGUMENT');
      expect((await first)?.[0][0]).toBe(0x10);
      expect((await it.next())?.[0][0]).toBe(0x20);
      await it.close();
    });

    it('pages through many entries; independent iterators do not interfere', async () => {
      const e = await h.engine();
      const n = 2000;
      for (let i = 0; i < n; i += 100) {
        const ops = [];
        for (let j = i; j < i + 100; j++) ops.push({ type: 'put' as const, key: b(j >> 8, j & 0xff), value: b(j & 0xff) });
        await e.write(ops);
      }
      const fwd = e.iterator();
      const rev = e.iterator({ reverse: true });
      let count = 0;
      for (let batch = await fwd.nextv(97); batch.length > 0; batch = await fwd.nextv(97)) {
        for (const [k] of batch) expect((k[0] as number) * 256 + (k[1] as number)).toBe(count++);
        const r = await rev.next();
        expect(r).toBeDefined();
      }
      expect(count).toBe(n);
      await rev.close();
    });
  });

  snapshotCases(h);
}

function snapshotCases(h: EngineHarness): void {
  describe('snapshot isolation', () => {
    it('an iterator does not see writes made after it was created', async () => {
      const e = await h.engine();
      await fill(e);
      const fwd = e.iterator();
      const rev = e.iterator({ reverse: true });
      const bounded = e.iterator({ gte: b(0x30), lt: b(0x60) });
      expect((await fwd.next())?.[0][0]).toBe(0x10);
      await e.put(b(0x15), b(99));
      await e.put(b(0x20), b(99));
      await e.delete(b(0x30));
      await e.write([
        { type: 'del', key: b(0x90) },
        { type: 'put', key: b(0x45), value: b(99) },
        { type: 'put', key: b(0xa0), value: b(99) },
      ]);
      await e.compactRange();
      const rest = hexEntries(await drain(fwd));
      expect(rest).toEqual(KEYS.slice(1).map((k) => [hex(b(k)), hex(b(KEYS.indexOf(k)))]));
      expect((await drain(rev)).map(([k]) => k[0])).toEqual([...KEYS].reverse());
      expect((await drain(bounded)).map(([k]) => k[0])).toEqual([0x30, 0x40, 0x50]);
      const now = (await drain(e.iterator())).map(([k]) => k[0]);
      expect(now).toEqual([0x10, 0x15, 0x20, 0x40, 0x45, 0x50, 0x60, 0x70, 0x80, 0xa0]);
    });

    it('each iterator keeps the snapshot of its own creation', async () => {
      const e = await h.engine();
      await e.put(b(1), b(1));
      const first = e.iterator();
      await e.put(b(2), b(2));
      const second = e.iterator();
      await e.delete(b(1));
      const third = e.iterator();
      expect((await drain(first)).map(([k]) => k[0])).toEqual([1]);
      expect((await drain(second)).map(([k]) => k[0])).toEqual([1, 2]);
      expect((await drain(third)).map(([k]) => k[0])).toEqual([2]);
    });
  });
}
