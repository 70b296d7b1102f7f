import { describe, expect, it } from '@jest/globals';
import type { BatchOp } from '@dynamis/core';
import { drain, EngineHarness, expectRejects, expectThrows, hex, hexEntries, s } from './storageEngineHelpers';

/** INVALID_ARGUMENT at the boundary, and who owns which buffers. */
export function argumentCases(h: EngineHarness): void {
  invalidArgumentCases(h);
  ownershipCases(h);
}

function invalidArgumentCases(h: EngineHarness): void {
  describe('invalid arguments → INVALID_ARGUMENT', () => {
    const notBytes: unknown[] = [undefined, null, 'key', 42, [1, 2], {}, new ArrayBuffer(2), new Uint16Array(2)];

    it('rejects keys and values that are not Uint8Array', async () => {
      const e = await h.engine();
      for (const bad of notBytes) {
        await expectRejects(() => e.get(bad as Uint8Array), 'INVALID_ARGUMENT');
        await expectRejects(() => e.put(bad as Uint8Array, s('v')), 'INVALID_ARGUMENT');
        await expectRejects(() => e.put(s('k'), bad as Uint8Array), 'INVALID_ARGUMENT');
        await expectRejects(() => e.delete(bad as Uint8Array), 'INVALID_ARGUMENT');
      }
      expect(await drain(e.iterator())).toEqual([]);
    });

    it('rejects malformed batches and applies none of their ops', async () => {
      const e = await h.engine();
      const good: BatchOp = { type: 'put', key: s('a'), value: s('1') };
      const bad: unknown[] = [
        null,
        'put',
        { type: 'nope', key: s('k') },
        { type: 'put', key: s('k') },
        { type: 'put', key: 'k', value: s('v') },
        { type: 'del', key: undefined },
        { key: s('k'), value: s('v') },
      ];
      for (const op of bad) await expectRejects(() => e.write([good, op as BatchOp]), 'INVALID_ARGUMENT');
      await expectRejects(() => e.write('ops' as never), 'INVALID_ARGUMENT');
      await expectRejects(() => e.write(undefined as never), 'INVALID_ARGUMENT');
      expect(await e.get(s('a'))).toBeUndefined();
    });

    it('rejects bad write options', async () => {
      const e = await h.engine();
      await expectRejects(() => e.put(s('k'), s('v'), { sync: 'yes' } as never), 'INVALID_ARGUMENT');
      await expectRejects(() => e.delete(s('k'), 7 as never), 'INVALID_ARGUMENT');
      await expectRejects(() => e.write([], { sync: 1 } as never), 'INVALID_ARGUMENT');
      expect(await e.get(s('k'))).toBeUndefined();
    });

    it('rejects bad iterator options and nextv sizes, bad compactRange ranges', async () => {
      const e = await h.engine();
      await e.put(s('a'), s('1'));
      for (const opts of [
        { gt: 'a' },
        { lte: 1 },
        { gte: null },
        { reverse: 'yes' },
        { limit: 1.5 },
        { limit: -2 },
        { limit: NaN },
        { limit: '3' },
      ]) {
        expectThrows(() => e.iterator(opts as never), 'INVALID_ARGUMENT');
      }
      const it = e.iterator();
      for (const size of [0, -1, 1.5, NaN, '2']) await expectRejects(() => it.nextv(size as number), 'INVALID_ARGUMENT');
      expect((await it.nextv(10)).length).toBe(1);
      await it.close();
      await expectRejects(() => e.compactRange({ lt: 'z' } as never), 'INVALID_ARGUMENT');
      await expectRejects(() => e.compactRange(5 as never), 'INVALID_ARGUMENT');
    });
  });
}

function ownershipCases(h: EngineHarness): void {
  describe('buffer ownership', () => {
    it('copies keys and values on put, even when mutated before the promise settles', async () => {
      const e = await h.engine();
      const key = s('key');
      const value = s('value');
      const pending = e.put(key, value);
      key.fill(0x21);
      value.fill(0x21);
      await pending;
      expect(hex(await e.get(s('key')))).toBe(hex(s('value')));
      expect(await e.get(key)).toBeUndefined();
    });

    it('copies batch keys and values', async () => {
      const e = await h.engine();
      const key = s('key');
      const value = s('value');
      const pending = e.write([{ type: 'put', key, value }]);
      key[0] = 0;
      value[0] = 0;
      await pending;
      expect(hex(await e.get(s('key')))).toBe(hex(s('value')));
    });

    it('returns values and keys the caller may mutate', async () => {
      const e = await h.engine();
      await e.put(s('k'), s('value'));
      const got = (await e.get(s('k'))) as Uint8Array;
      got.fill(0);
      expect(hex(await e.get(s('k')))).toBe(hex(s('value')));
      const [entry] = await drain(e.iterator());
      entry?.[0].fill(0);
      entry?.[1].fill(0);
      expect(hexEntries(await drain(e.iterator()))).toEqual([[hex(s('k')), hex(s('value'))]]);
    });

    it('copies iterator bounds', async () => {
      const e = await h.engine();
      for (const k of ['a', 'b', 'c', 'd']) await e.put(s(k), s(k));
      const lt = s('c');
      const it = e.iterator({ lt });
      lt.fill(0x7a);
      expect((await drain(it)).map(([k]) => hex(k))).toEqual([hex(s('a')), hex(s('b'))]);
    });
  });
}
