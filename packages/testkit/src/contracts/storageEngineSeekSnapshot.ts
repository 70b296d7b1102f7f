import { describe, expect, it } from '@jest/globals';
import type { EngineIterator, Snapshot, StorageEngine } from '@dynamis/core';
import { b, drain, EngineHarness, expectCode, expectRejects, expectThrows, hex, hexEntries, s } from './storageEngineHelpers';

/** Keys 0x10, 0x20, ... 0x90 (one byte each), valued by their index. */
const KEYS = [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90];

async function fill(e: StorageEngine): Promise<void> {
  await e.write(KEYS.map((k, i) => ({ type: 'put' as const, key: b(k), value: b(i) })));
}

/** The single-byte keys an iterator yields from now on. */
async function rest(it: EngineIterator): Promise<number[]> {
  return (await drain(it)).map(([k]) => (k.length === 1 ? (k[0] as number) : -1));
}

/** Iterator seek (LevelDB Iterator::Seek) and explicit snapshots with get and iterators. */
export function seekSnapshotCases(h: EngineHarness): void {
  describe('iterator seek', () => {
    it('forward: positions at the first key >= target, on a key and between keys', async () => {
      const e = await h.engine();
      await fill(e);
      const it = e.iterator();
      expect((await it.next())?.[0]).toEqual(b(0x10));
      it.seek(b(0x50));
      expect((await it.next())?.[0]).toEqual(b(0x50));
      it.seek(b(0x25));
      expect(await rest(it)).toEqual([0x30, 0x40, 0x50, 0x60, 0x70, 0x80, 0x90]);
    });

    it('reverse: positions at the last key <= target, and may seek back and forth', async () => {
      const e = await h.engine();
      await fill(e);
      const it = e.iterator({ reverse: true });
      it.seek(b(0x55));
      expect((await it.next())?.[0]).toEqual(b(0x50));
      it.seek(b(0x80));
      expect((await it.next())?.[0]).toEqual(b(0x80));
      it.seek(b(0x30, 0x00));
      expect(await rest(it)).toEqual([0x30, 0x20, 0x10]);
    });

    it('stays within the range; a target outside it positions at the end', async () => {
      const e = await h.engine();
      await fill(e);
      const fwd = e.iterator({ gt: b(0x20), lt: b(0x70) });
      fwd.seek(b(0x60));
      expect(hexEntries(await fwd.nextv(10))).toEqual([[hex(b(0x60)), hex(b(5))]]);
      const low = e.iterator({ gt: b(0x20), lt: b(0x70) });
      low.seek(b(0x20));
      expect(await low.next()).toBeUndefined();
      const high = e.iterator({ gte: b(0x20), lte: b(0x70) });
      high.seek(b(0x71));
      expect(await high.nextv(5)).toEqual([]);
      const rev = e.iterator({ gte: b(0x20), lte: b(0x70), reverse: true });
      rev.seek(b(0x05));
      expect(await rev.next()).toBeUndefined();
      const back = e.iterator({ gte: b(0x20), lte: b(0x70), reverse: true });
      back.seek(b(0xff));
      expect(await back.next()).toBeUndefined();
      const again = e.iterator({ gte: b(0x20), lte: b(0x70) });
      again.seek(b(0x99));
      again.seek(b(0x65));
      expect(await rest(again)).toEqual([0x70]);
    });

    it('keeps the snapshot of the iterator: writes after its creation stay invisible', async () => {
      const e = await h.engine();
      await fill(e);
      const it = e.iterator();
      expect((await it.next())?.[0]).toEqual(b(0x10));
      await e.put(b(0x45), s('new'));
      await e.delete(b(0x50));
      await e.write([{ type: 'put', key: b(0x60), value: s('changed') }]);
      it.seek(b(0x40));
      const entries = await drain(it);
      expect(hexEntries(entries)).toEqual(KEYS.slice(3).map((k) => [hex(b(k)), hex(b(KEYS.indexOf(k)))]));
      const fresh = e.iterator({ gte: b(0x40), lte: b(0x60) });
      fresh.seek(b(0x41));
      expect(await rest(fresh)).toEqual([0x45, 0x60]);
    });

    it('keeps counting the limit across seeks', async () => {
      const e = await h.engine();
      await fill(e);
      const it = e.iterator({ limit: 3 });
      await it.next();
      it.seek(b(0x80));
      expect(await rest(it)).toEqual([0x80, 0x90]);
    });

    it('rejects a bad target (INVALID_ARGUMENT), a seek during next() and a seek after the end (NOT_OPEN)', async () => {
      const e = await h.engine();
      await fill(e);
      const it = e.iterator();
      for (const bad of [undefined, null, 'a', 1, [1], new ArrayBuffer(1)]) {
        expectThrows(() => it.seek(bad as never), 'INVALID_ARGUMENT');
      }
      const pending = it.next();
      expectThrows(() => it.seek(b(0x20)), 'INVALID_ARGUMENT');
      await pending;
      await it.close();
      expectThrows(() => it.seek(b(0x20)), 'NOT_OPEN');
      const ended = e.iterator({ gte: b(0x90) });
      await drain(ended);
      expectThrows(() => ended.seek(b(0x90)), 'NOT_OPEN');
      const open = e.iterator();
      await e.close();
      expectThrows(() => open.seek(b(0x20)), 'NOT_OPEN');
    });
  });

  describe('snapshots', () => {
    it('get and iterators through a snapshot see the engine as it was, together', async () => {
      const e = await h.engine();
      await fill(e);
      const snap = e.snapshot();
      await e.put(b(0x10), s('changed'));
      await e.delete(b(0x20));
      await e.put(b(0x25), s('added'));
      await e.write([
        { type: 'del', key: b(0x30) },
        { type: 'put', key: b(0x95), value: s('x') },
      ]);
      expect(hex(await e.get(b(0x10), { snapshot: snap }))).toBe(hex(b(0)));
      expect(hex(await e.get(b(0x20), { snapshot: snap }))).toBe(hex(b(1)));
      expect(await e.get(b(0x25), { snapshot: snap })).toBeUndefined();
      expect(hex(await e.get(b(0x10)))).toBe(hex(s('changed')));
      expect(await e.get(b(0x20))).toBeUndefined();
      expect(await rest(e.iterator({ snapshot: snap }))).toEqual(KEYS);
      expect(await rest(e.iterator({ snapshot: snap, reverse: true, gt: b(0x70) }))).toEqual([0x90, 0x80]);
      const it = e.iterator({ snapshot: snap, gte: b(0x20) });
      it.seek(b(0x21));
      expect(await rest(it)).toEqual(KEYS.slice(2));
      expect(await rest(e.iterator({ lt: b(0x40) }))).toEqual([0x10, 0x25]);
      snap.release();
    });

    it('two snapshots are independent; an iterator outlives the release of its snapshot', async () => {
      const e = await h.engine();
      await e.put(s('k'), s('1'));
      const one = e.snapshot();
      await e.put(s('k'), s('2'));
      const two = e.snapshot();
      await e.put(s('k'), s('3'));
      const it = e.iterator({ snapshot: one });
      one.release();
      expect(hex(await e.get(s('k'), { snapshot: two }))).toBe(hex(s('2')));
      expect(hexEntries(await drain(it))).toEqual([[hex(s('k')), hex(s('1'))]]);
      two.release();
      expect(hex(await e.get(s('k')))).toBe(hex(s('3')));
    });

    it('release() is idempotent; reads through a released snapshot throw NOT_OPEN', async () => {
      const e = await h.engine();
      await e.put(s('k'), s('v'));
      const snap = e.snapshot();
      snap.release();
      snap.release();
      await expectRejects(() => e.get(s('k'), { snapshot: snap }), 'NOT_OPEN');
      expectThrows(() => e.iterator({ snapshot: snap }), 'NOT_OPEN');
      expect(hex(await e.get(s('k')))).toBe(hex(s('v')));
    });

    it('close() releases every snapshot; after reopen they stay released', async () => {
      const e = await h.engine();
      await e.put(s('k'), s('v'));
      const snap = e.snapshot();
      await e.close();
      expectThrows(() => e.snapshot(), 'NOT_OPEN');
      await e.open();
      await expectRejects(() => e.get(s('k'), { snapshot: snap }), 'NOT_OPEN');
      expectThrows(() => e.iterator({ snapshot: snap }), 'NOT_OPEN');
      snap.release();
    });

    it("rejects another engine's snapshot and a snapshot that is not one (INVALID_ARGUMENT)", async () => {
      const e = await h.engine();
      const other = await h.engine();
      const foreign = other.snapshot();
      await expectRejects(() => e.get(s('k'), { snapshot: foreign }), 'INVALID_ARGUMENT');
      expectThrows(() => e.iterator({ snapshot: foreign }), 'INVALID_ARGUMENT');
      const fake: Snapshot = { release: () => undefined };
      for (const bad of [fake, null, 'snap', 1]) {
        await expectRejects(() => e.get(s('k'), { snapshot: bad as never }), 'INVALID_ARGUMENT');
        expectThrows(() => e.iterator({ snapshot: bad as never }), 'INVALID_ARGUMENT');
      }
      await expectRejects(() => e.get(s('k'), 'opts' as never), 'INVALID_ARGUMENT');
      foreign.release();
    });

    it('a snapshot survives many writes that push data out of memory', async () => {
      const e = await h.engine();
      const value = new Uint8Array(200);
      for (let i = 0; i < 500; i++) await e.put(b(i >> 8, i & 0xff), value);
      const snap = e.snapshot();
      for (let round = 1; round <= 3; round++) {
        const ops = [];
        for (let i = 0; i < 500; i++) ops.push({ type: 'put' as const, key: b(i >> 8, i & 0xff), value: new Uint8Array(200).fill(round) });
        for (let i = 0; i < ops.length; i += 100) await e.write(ops.slice(i, i + 100));
        await e.compactRange();
      }
      let caught: unknown;
      try {
        const entries = await drain(e.iterator({ snapshot: snap }));
        expect(entries.length).toBe(500);
        expect(entries.every(([, v]) => v.length === 200 && v.every((x) => x === 0))).toBe(true);
        expect(hex(await e.get(b(1, 0), { snapshot: snap }))).toBe(hex(value));
      } catch (err) {
        caught = err;
      } finally {
        snap.release();
      }
      if (caught !== undefined) throw caught;
      expect((await e.get(b(1, 0)))?.[0]).toBe(3);
    });

    it('snapshot() throws NOT_OPEN before open', () => {
      const e = h.fresh();
      let caught: unknown;
      try {
        e.snapshot();
      } catch (err) {
        caught = err;
      }
      expectCode(caught, 'NOT_OPEN');
    });
  });
}
