import { describe, expect, it } from '@jest/globals';
import { argumentCases } from './storageEngineArguments';
import { b, drain, EngineHarness, expectRejects, expectThrows, hex, hexEntries, s } from './storageEngineHelpers';

/** Lifecycle, point reads and writes, batches; then argument checks and buffer ownership. */
export function basicCases(h: EngineHarness): void {
  describe('lifecycle', () => {
    it('rejects every call with NOT_OPEN before open()', async () => {
      const e = h.fresh();
      await expectRejects(() => e.get(s('a')), 'NOT_OPEN');
      await expectRejects(() => e.put(s('a'), s('1')), 'NOT_OPEN');
      await expectRejects(() => e.delete(s('a')), 'NOT_OPEN');
      await expectRejects(() => e.write([]), 'NOT_OPEN');
      await expectRejects(() => e.write([{ type: 'put', key: s('a'), value: s('1') }]), 'NOT_OPEN');
      await expectRejects(() => e.compactRange(), 'NOT_OPEN');
      expectThrows(() => e.iterator(), 'NOT_OPEN');
      expectThrows(() => e.stats(), 'NOT_OPEN');
    });

    it('close() before open() resolves; setCompactionFilter works in any state', async () => {
      const e = h.fresh();
      await e.close();
      e.setCompactionFilter(() => ({ action: 'keep' }));
      e.setCompactionFilter(undefined);
      expectThrows(() => e.setCompactionFilter('nope' as never), 'INVALID_ARGUMENT');
    });

    it('open() is idempotent, also when called concurrently', async () => {
      const e = h.fresh();
      await Promise.all([e.open(), e.open(), e.open()]);
      await e.open();
      await e.put(s('k'), s('v'));
      expect(hex(await e.get(s('k')))).toBe(hex(s('v')));
    });

    it('close() is idempotent, also when called concurrently; then calls reject NOT_OPEN', async () => {
      const e = await h.engine();
      await e.put(s('k'), s('v'));
      await Promise.all([e.close(), e.close()]);
      await e.close();
      await expectRejects(() => e.get(s('k')), 'NOT_OPEN');
      await expectRejects(() => e.put(s('k'), s('v')), 'NOT_OPEN');
      await expectRejects(() => e.write([]), 'NOT_OPEN');
      expectThrows(() => e.iterator(), 'NOT_OPEN');
      expectThrows(() => e.stats(), 'NOT_OPEN');
    });

    it('start() and stop() open and close it', async () => {
      const e = h.fresh();
      await e.start();
      await e.put(s('k'), s('v'));
      await e.stop();
      await expectRejects(() => e.get(s('k')), 'NOT_OPEN');
      await e.stop();
    });

    it('close() lets calls already made finish', async () => {
      const e = await h.engine();
      const writes: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) writes.push(e.put(b(i), b(i, i)));
      const reads = [e.get(b(1)), e.get(b(2))];
      await e.close();
      await Promise.all(writes);
      await Promise.all(reads);
    });

    it('close() closes open iterators: their next() then rejects NOT_OPEN', async () => {
      const e = await h.engine();
      await e.put(s('a'), s('1'));
      await e.put(s('b'), s('2'));
      const it = e.iterator();
      expect(hex((await it.next())?.[0])).toBe(hex(s('a')));
      await e.close();
      await expectRejects(() => it.next(), 'NOT_OPEN');
      await it.close();
    });
  });

  describe('get / put / delete', () => {
    it('get of a missing key resolves undefined', async () => {
      const e = await h.engine();
      expect(await e.get(s('missing'))).toBeUndefined();
    });

    it('put then get, overwrite, delete, delete of a missing key', async () => {
      const e = await h.engine();
      await e.put(s('k'), s('one'));
      expect(hex(await e.get(s('k')))).toBe(hex(s('one')));
      await e.put(s('k'), s('two'));
      expect(hex(await e.get(s('k')))).toBe(hex(s('two')));
      await e.delete(s('k'));
      expect(await e.get(s('k'))).toBeUndefined();
      await e.delete(s('k'));
      await e.delete(s('never'));
      expect(await e.get(s('k'))).toBeUndefined();
    });

    it('allows the empty key and the empty value', async () => {
      const e = await h.engine();
      await e.put(b(), s('empty key'));
      await e.put(s('k'), b());
      expect(hex(await e.get(b()))).toBe(hex(s('empty key')));
      const v = await e.get(s('k'));
      expect(v).toBeInstanceOf(Uint8Array);
      expect(v?.length).toBe(0);
      expect(hexEntries(await drain(e.iterator()))).toEqual([
        ['', hex(s('empty key'))],
        [hex(s('k')), ''],
      ]);
      await e.delete(b());
      expect(await e.get(b())).toBeUndefined();
    });

    it('keeps binary keys apart and orders them as memcmp (unsigned, prefix first)', async () => {
      const sorted = [
        b(),
        b(0x00),
        b(0x00, 0x00),
        b(0x00, 0x01),
        b(0x01),
        b(0x7f),
        b(0x80),
        b(0xc3, 0x28),
        b(0xef, 0xbf, 0xbd),
        b(0xff),
        b(0xff, 0x00),
        b(0xff, 0xff),
      ];
      const e = await h.engine();
      const shuffled = [7, 3, 11, 0, 9, 5, 1, 10, 4, 8, 2, 6].map((i) => sorted[i] as Uint8Array);
      for (const [i, k] of shuffled.entries()) await e.put(k, b(i));
      for (const [i, k] of shuffled.entries()) expect(hex(await e.get(k))).toBe(hex(b(i)));
      const keys = (await drain(e.iterator())).map(([k]) => hex(k));
      expect(keys).toEqual(sorted.map((k) => hex(k)));
      const reversed = (await drain(e.iterator({ reverse: true }))).map(([k]) => hex(k));
      expect(reversed).toEqual(sorted.map((k) => hex(k)).reverse());
    });

    it('reads keys by their bytes, whatever the view (Buffer, subarray with an offset)', async () => {
      const e = await h.engine();
      const backing = new Uint8Array([9, 9, 1, 2, 3, 9]);
      await e.put(backing.subarray(2, 5), s('v'));
      expect(hex(await e.get(Buffer.from([1, 2, 3])))).toBe(hex(s('v')));
      expect(hex(await e.get(b(1, 2, 3)))).toBe(hex(s('v')));
      await e.put(b(4), backing.subarray(0, 2));
      expect(hex(await e.get(b(4)))).toBe('0909');
    });

    it('round-trips a 1 MiB value', async () => {
      const e = await h.engine();
      const big = new Uint8Array(1 << 20);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31) & 0xff;
      await e.put(s('big'), big);
      const got = await e.get(s('big'));
      expect(got?.length).toBe(big.length);
      expect(Buffer.compare(got as Uint8Array, big)).toBe(0);
    });

    it('applies concurrent writes in call order', async () => {
      const e = await h.engine();
      await Promise.all([e.put(s('k'), s('1')), e.put(s('k'), s('2')), e.delete(s('j')), e.put(s('j'), s('3')), e.put(s('k'), s('4'))]);
      expect(hex(await e.get(s('k')))).toBe(hex(s('4')));
      expect(hex(await e.get(s('j')))).toBe(hex(s('3')));
    });
  });

  describe('write (batch)', () => {
    it('applies puts and dels together', async () => {
      const e = await h.engine();
      await e.put(s('gone'), s('x'));
      await e.write([
        { type: 'put', key: s('a'), value: s('1') },
        { type: 'del', key: s('gone') },
        { type: 'put', key: s('b'), value: s('2') },
      ]);
      expect(hexEntries(await drain(e.iterator()))).toEqual([
        [hex(s('a')), hex(s('1'))],
        [hex(s('b')), hex(s('2'))],
      ]);
    });

    it('applies ops in order: a later op on the same key wins', async () => {
      const e = await h.engine();
      await e.put(s('pd'), s('old'));
      await e.write([
        { type: 'put', key: s('pd'), value: s('new') },
        { type: 'del', key: s('pd') },
        { type: 'del', key: s('dp') },
        { type: 'put', key: s('dp'), value: s('back') },
        { type: 'put', key: s('pp'), value: s('first') },
        { type: 'put', key: s('pp'), value: s('second') },
      ]);
      expect(await e.get(s('pd'))).toBeUndefined();
      expect(hex(await e.get(s('dp')))).toBe(hex(s('back')));
      expect(hex(await e.get(s('pp')))).toBe(hex(s('second')));
    });

    it('an empty batch resolves and changes nothing', async () => {
      const e = await h.engine();
      await e.put(s('a'), s('1'));
      await e.write([]);
      await e.write([], { sync: true });
      expect(hexEntries(await drain(e.iterator()))).toEqual([[hex(s('a')), hex(s('1'))]]);
    });

    it('accepts sync: true and sync: false', async () => {
      const e = await h.engine();
      await e.put(s('a'), s('1'), { sync: true });
      await e.delete(s('a'), { sync: false });
      await e.write([{ type: 'put', key: s('b'), value: s('2') }], { sync: true });
      expect(await e.get(s('a'))).toBeUndefined();
      expect(hex(await e.get(s('b')))).toBe(hex(s('2')));
    });
  });

  argumentCases(h);
}
