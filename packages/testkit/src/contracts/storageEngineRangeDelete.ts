import { describe, expect, it } from '@jest/globals';
import type { EngineSupports, StorageEngine } from '@dynamis/core';
import { b, drain, EngineHarness, expectRejects, hex, s } from './storageEngineHelpers';

/** Keys 0x10, 0x20, ... 0x90 (one byte each), plus 0x30 0x00 and 0x30 0xff. */
const KEYS = [b(0x10), b(0x20), b(0x30), b(0x30, 0x00), b(0x30, 0xff), b(0x40), b(0x50), b(0x60), b(0x70), b(0x80), b(0x90)];

async function fill(e: StorageEngine): Promise<void> {
  await e.write(KEYS.map((key, i) => ({ type: 'put' as const, key, value: b(i) })));
}

async function keysOf(e: StorageEngine, options: Parameters<StorageEngine['iterator']>[0] = {}): Promise<string[]> {
  return (await drain(e.iterator(options))).map(([k]) => hex(k) as string);
}

/** The hex keys of KEYS left after deleting [lo, hi). */
function left(lo: Uint8Array, hi: Uint8Array): string[] {
  return KEYS.filter((k) => Buffer.compare(k, lo) < 0 || Buffer.compare(k, hi) >= 0).map((k) => hex(k) as string);
}

/** StorageEngine.deleteRange: [start, end), atomic, snapshot-correct, durable. */
export function rangeDeleteCases(h: EngineHarness, supports: EngineSupports): void {
  describe('deleteRange', () => {
    it('removes exactly [start, end): get, forward, reverse and seek agree', async () => {
      const e = await h.engine();
      await fill(e);
      await e.deleteRange(b(0x30), b(0x60));
      const want = left(b(0x30), b(0x60));
      expect(await keysOf(e)).toEqual(want);
      expect(await keysOf(e, { reverse: true })).toEqual([...want].reverse());
      for (const k of KEYS) {
        const gone = !want.includes(hex(k) as string);
        expect([hex(k), (await e.get(k)) === undefined]).toEqual([hex(k), gone]);
      }
      const it = e.iterator();
      it.seek(b(0x30));
      expect(hex((await it.next())?.[0])).toBe(hex(b(0x60)));
      await it.close();
      const rev = e.iterator({ reverse: true });
      rev.seek(b(0x5f));
      expect(hex((await rev.next())?.[0])).toBe(hex(b(0x20)));
      await rev.close();
    });

    it('honours byte order at the bounds: a prefix, a longer key, the empty key', async () => {
      const e = await h.engine();
      await fill(e);
      await e.put(b(), s('empty'));
      await e.deleteRange(b(0x30), b(0x30, 0x00));
      expect(await keysOf(e, { gte: b(0x30), lt: b(0x40) })).toEqual([hex(b(0x30, 0x00)), hex(b(0x30, 0xff))]);
      await e.deleteRange(b(0x30, 0x01), b(0x31));
      expect(await keysOf(e, { gte: b(0x30), lt: b(0x40) })).toEqual([hex(b(0x30, 0x00))]);
      await e.deleteRange(b(), b(0x00));
      expect(await e.get(b())).toBeUndefined();
      expect(hex(await e.get(b(0x10)))).toBe(hex(b(0)));
    });

    it('start >= end deletes nothing; an empty range and a range over nothing are fine', async () => {
      const e = await h.engine();
      await fill(e);
      await e.deleteRange(b(0x50), b(0x50));
      await e.deleteRange(b(0x60), b(0x20));
      await e.deleteRange(b(0xa0), b(0xb0));
      await e.deleteRange(b(0x41), b(0x42), { sync: true });
      expect(await keysOf(e)).toEqual(KEYS.map((k) => hex(k) as string));
    });

    it('writes after it in its range are visible; writes before it are not', async () => {
      const e = await h.engine();
      await fill(e);
      await e.deleteRange(b(0x20), b(0x80));
      await e.put(b(0x50), s('back'));
      await e.write([
        { type: 'put', key: b(0x21), value: s('new') },
        { type: 'del', key: b(0x90) },
      ]);
      expect(await keysOf(e)).toEqual([hex(b(0x10)), hex(b(0x21)), hex(b(0x50)), hex(b(0x80))]);
      expect(hex(await e.get(b(0x50)))).toBe(hex(s('back')));
      await e.deleteRange(b(0x00), b(0xff));
      expect(await keysOf(e)).toEqual([]);
      await e.put(b(0x40), s('again'));
      expect(await keysOf(e)).toEqual([hex(b(0x40))]);
    });

    it('is invisible to snapshots and iterators taken before it', async () => {
      const e = await h.engine();
      await fill(e);
      const snap = e.snapshot();
      const it = e.iterator({ reverse: true });
      await e.deleteRange(b(0x00), b(0x70));
      const after = e.snapshot();
      expect((await drain(it)).length).toBe(KEYS.length);
      expect(await keysOf(e, { snapshot: snap })).toEqual(KEYS.map((k) => hex(k) as string));
      expect(hex(await e.get(b(0x30), { snapshot: snap }))).toBe(hex(b(2)));
      expect(await e.get(b(0x30), { snapshot: after })).toBeUndefined();
      expect(await keysOf(e, { snapshot: after })).toEqual([hex(b(0x70)), hex(b(0x80)), hex(b(0x90))]);
      snap.release();
      after.release();
    });

    it('deletes many entries spread over memory and older data', async () => {
      const e = await h.engine();
      const value = new Uint8Array(100).fill(7);
      for (let i = 0; i < 3000; i += 300) {
        const ops = [];
        for (let j = i; j < i + 300; j++) ops.push({ type: 'put' as const, key: b(j >> 8, j & 0xff), value });
        await e.write(ops);
      }
      await e.deleteRange(b(2, 0), b(8, 0));
      const remaining = await drain(e.iterator());
      expect(remaining.length).toBe(3000 - 6 * 256);
      expect(await e.get(b(5, 5))).toBeUndefined();
      expect(hex(await e.get(b(8, 0)))).toBe(hex(value));
      await e.compactRange();
      expect((await drain(e.iterator({ reverse: true }))).length).toBe(3000 - 6 * 256);
      expect(await e.get(b(2, 0))).toBeUndefined();
    });

    it('rejects bad arguments with INVALID_ARGUMENT and changes nothing; NOT_OPEN when closed', async () => {
      const e = await h.engine();
      await fill(e);
      for (const bad of [undefined, null, 'a', 1, [1]]) {
        await expectRejects(() => e.deleteRange(bad as never, b(0xff)), 'INVALID_ARGUMENT');
        await expectRejects(() => e.deleteRange(b(0x00), bad as never), 'INVALID_ARGUMENT');
      }
      await expectRejects(() => e.deleteRange(b(0x00), b(0xff), { sync: 'yes' } as never), 'INVALID_ARGUMENT');
      expect((await drain(e.iterator())).length).toBe(KEYS.length);
      await e.close();
      await expectRejects(() => e.deleteRange(b(0x00), b(0xff)), 'NOT_OPEN');
    });

    if (supports.persistent) {
      it('survives reopen', async () => {
        if (h.factory.reopen === undefined) throw new Error('supports.persistent is true but the factory has no reopen()');
        let e = await h.engine();
        await fill(e);
        await e.deleteRange(b(0x20), b(0x40));
        await e.put(b(0x30), s('after'));
        e = await h.reopen(e);
        expect(await keysOf(e)).toEqual([hex(b(0x10)), hex(b(0x30)), ...left(b(0x00), b(0x40)).filter((k) => k >= '40')]);
        await e.deleteRange(b(0x50), b(0x90), { sync: true });
        e = await h.reopen(e);
        expect(await keysOf(e)).toEqual([hex(b(0x10)), hex(b(0x30)), hex(b(0x40)), hex(b(0x90))]);
      });
    }
  });
}
