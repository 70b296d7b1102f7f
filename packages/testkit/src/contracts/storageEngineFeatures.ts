import { describe, expect, it } from '@jest/globals';
import type { CompactionDecision, EngineSupports, PurgeReport, StorageEngine } from '@dynamis/core';
import { b, drain, EngineHarness, hex, hexEntries, s } from './storageEngineHelpers';

/** Persistence (or volatility), compaction filter and stats, gated by `supports`. */
export function featureCases(h: EngineHarness, supports: EngineSupports): void {
  if (supports.persistent) persistenceCases(h);
  else volatileCases(h);
  if (supports.compactionFilter) compactionCases(h);
  statsCases(h);
  damageCases(h);
}

function persistenceCases(h: EngineHarness): void {
  describe('persistence (supports.persistent)', () => {
    if (h.factory.reopen === undefined) {
      it('the factory provides reopen() for a persistent engine', () => {
        throw new Error('supports.persistent is true but the factory has no reopen()');
      });
      return;
    }

    it('keeps puts, overwrites, deletes and batches across reopen', async () => {
      let e = await h.engine();
      await e.put(s('a'), s('1'));
      await e.put(s('b'), s('old'));
      await e.put(s('b'), s('new'));
      await e.put(s('c'), s('3'));
      await e.delete(s('c'));
      await e.write([
        { type: 'put', key: b(0xff, 0x00), value: b() },
        { type: 'put', key: b(), value: s('empty key') },
        { type: 'del', key: s('a') },
        { type: 'put', key: s('a'), value: s('again') },
      ]);
      const before = hexEntries(await drain(e.iterator()));
      e = await h.reopen(e);
      expect(hexEntries(await drain(e.iterator()))).toEqual(before);
      expect(await e.get(s('c'))).toBeUndefined();
      await e.put(s('d'), s('4'), { sync: true });
      e = await h.reopen(e);
      expect(hex(await e.get(s('d')))).toBe(hex(s('4')));
      expect(hex(await e.get(s('b')))).toBe(hex(s('new')));
    });

    it('keeps many entries across reopen, in order', async () => {
      let e = await h.engine();
      const ops = [];
      for (let i = 0; i < 3000; i++)
        ops.push({ type: 'put' as const, key: b(i >> 8, i & 0xff, 7), value: new Uint8Array(40).fill(i & 0xff) });
      for (let i = 0; i < ops.length; i += 500) await e.write(ops.slice(i, i + 500));
      e = await h.reopen(e);
      const entries = await drain(e.iterator());
      expect(entries.length).toBe(3000);
      expect(hex(entries[1234]?.[1])).toBe(hex(new Uint8Array(40).fill(1234 & 0xff)));
    });

    it('a reopened engine comes back after close() of the same instance', async () => {
      const e = await h.engine();
      await e.put(s('k'), s('v'));
      await e.close();
      await e.open();
      expect(hex(await e.get(s('k')))).toBe(hex(s('v')));
    });
  });
}

function volatileCases(h: EngineHarness): void {
  describe('volatility (supports.persistent false)', () => {
    it('the same instance opened again after close() keeps its data; a new instance starts empty', async () => {
      const e = await h.engine();
      await e.put(s('k'), s('v'));
      await e.close();
      await e.open();
      expect(hex(await e.get(s('k')))).toBe(hex(s('v')));
      expect(hexEntries(await drain(e.iterator()))).toEqual([[hex(s('k')), hex(s('v'))]]);
      const other = await h.engine();
      expect(await other.get(s('k'))).toBeUndefined();
      expect(await drain(other.iterator())).toEqual([]);
    });
  });
}

function compactionCases(h: EngineHarness): void {
  describe('compaction filter (supports.compactionFilter)', () => {
    async function filled(): Promise<StorageEngine> {
      const e = await h.engine();
      for (const k of ['a', 'b', 'c', 'd', 'e']) await e.put(s(k), s(k.toUpperCase()));
      return e;
    }

    it('keep / remove / replace via compactRange(), on live entries only', async () => {
      const e = await filled();
      await e.put(s('x'), s('X'));
      await e.delete(s('x'));
      const seen: string[] = [];
      e.setCompactionFilter((key, value): CompactionDecision => {
        seen.push(`${Buffer.from(key).toString()}=${Buffer.from(value).toString()}`);
        const k = Buffer.from(key).toString();
        if (k === 'a' || k === 'd') return { action: 'remove' };
        if (k === 'b') return { action: 'replace', value: s('bee') };
        return { action: 'keep' };
      });
      await e.compactRange();
      expect(new Set(seen)).toEqual(new Set(['a=A', 'b=B', 'c=C', 'd=D', 'e=E']));
      expect(hexEntries(await drain(e.iterator()))).toEqual([
        [hex(s('b')), hex(s('bee'))],
        [hex(s('c')), hex(s('C'))],
        [hex(s('e')), hex(s('E'))],
      ]);
      expect(await e.get(s('a'))).toBeUndefined();
      expect(hex(await e.get(s('b')))).toBe(hex(s('bee')));
    });

    it('compactRange(range) runs the filter on every live entry in the range', async () => {
      const e = await filled();
      e.setCompactionFilter(() => ({ action: 'remove' }));
      await e.compactRange({ gt: s('a'), lte: s('c') });
      expect(await e.get(s('b'))).toBeUndefined();
      expect(await e.get(s('c'))).toBeUndefined();
      await e.compactRange({ gte: s('e') });
      expect(await e.get(s('e'))).toBeUndefined();
    });

    it('does nothing without a filter, or after it was removed', async () => {
      const e = await filled();
      const before = hexEntries(await drain(e.iterator()));
      await e.compactRange();
      e.setCompactionFilter(() => ({ action: 'remove' }));
      e.setCompactionFilter(undefined);
      await e.compactRange();
      expect(hexEntries(await drain(e.iterator()))).toEqual(before);
    });

    it('copies replacement values (the filter may reuse its buffer)', async () => {
      const e = await filled();
      const scratch = new Uint8Array(1);
      e.setCompactionFilter((key) => {
        scratch[0] = key[0] as number;
        return { action: 'replace', value: scratch };
      });
      await e.compactRange();
      scratch[0] = 0;
      expect(hex(await e.get(s('a')))).toBe(hex(s('a')));
      expect(hex(await e.get(s('e')))).toBe(hex(s('e')));
    });

    it('a filter that throws makes compactRange reject and loses no data', async () => {
      const e = await filled();
      const before = hexEntries(await drain(e.iterator()));
      e.setCompactionFilter((key) => {
        if (key[0] === 0x64) throw new Error('filter bug');
        return { action: 'remove' };
      });
      await expect(e.compactRange()).rejects.toThrow();
      e.setCompactionFilter(undefined);
      const after = hexEntries(await drain(e.iterator()));
      expect(after.length).toBeGreaterThan(0);
      for (const entry of after) expect(before).toContainEqual(entry);
      expect(hex(await e.get(s('d')))).toBe(hex(s('D')));
      expect(hex(await e.get(s('e')))).toBe(hex(s('E')));
    });

    it('reports each purge (remove, replace) with its note to the purge listener by the time compactRange resolves; a failed one reports nothing', async () => {
      const e = await filled();
      const reports: PurgeReport[] = [];
      e.setPurgeListener((r) => reports.push(r));
      e.setCompactionFilter((key) => {
        if (key[0] === 0x63) throw new Error('filter bug');
        return { action: 'remove' };
      });
      await expect(e.compactRange()).rejects.toThrow();
      expect(reports).toEqual([]);
      e.setCompactionFilter((key): CompactionDecision => {
        const k = Buffer.from(key).toString();
        if (k === 'a' || k === 'd') return { action: 'remove', note: s(`gone ${k}`) };
        if (k === 'b') return { action: 'replace', value: s('bee') };
        return { action: 'keep' };
      });
      await e.compactRange();
      const text = (x: Uint8Array | undefined) => (x === undefined ? undefined : Buffer.from(x).toString());
      const purged = reports.flatMap((r) => r.keys.map((p) => [text(p.key), p.action, text(p.note)]));
      expect(purged.sort((x, y) => (x[0]! < y[0]! ? -1 : 1))).toEqual([
        ['a', 'remove', 'gone a'],
        ['b', 'replace', undefined],
        ['d', 'remove', 'gone d'],
      ]);
      expect(reports.every((r) => r.unlisted === undefined)).toBe(true);
      e.setPurgeListener(() => {
        throw new Error('listener bug');
      });
      e.setCompactionFilter(() => ({ action: 'remove' }));
      await e.compactRange(); // a throwing listener fails nothing
      expect(await e.get(s('e'))).toBeUndefined();
      expect(e.stats().counters.purgeListenerFailures).toBe(1);
    });
  });
}

function statsCases(h: EngineHarness): void {
  describe('stats()', () => {
    it('has the documented shape and counts live bytes', async () => {
      const e = await h.engine();
      const empty = e.stats();
      expect(typeof empty.engine).toBe('string');
      expect(empty.engine.length).toBeGreaterThan(0);
      expect(Number.isFinite(empty.approximateBytes)).toBe(true);
      expect(empty.approximateBytes).toBeGreaterThanOrEqual(0);
      for (const value of Object.values(empty.counters)) expect(Number.isFinite(value)).toBe(true);
      for (let i = 0; i < 100; i++) await e.put(b(i), new Uint8Array(1024));
      const full = e.stats();
      expect(full.approximateBytes).toBeGreaterThan(0);
      for (const value of Object.values(full.counters)) expect(Number.isFinite(value)).toBe(true);
      if (full.counters.keys !== undefined) expect(full.counters.keys).toBeGreaterThan(0);
    });
  });
}

function damageCases(h: EngineHarness): void {
  describe('damaged ranges', () => {
    it('damaged() lists no fence on healthy data (NOT_OPEN when closed); setDamageListener takes a function or undefined', async () => {
      const e = await h.engine();
      e.setDamageListener(() => undefined);
      for (let i = 0; i < 50; i++) await e.put(b(i), s(`v${i}`));
      await e.deleteRange(b(10), b(20));
      expect(e.damaged()).toEqual([]);
      e.setDamageListener(undefined);
      expect(() => e.setDamageListener('nope' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
      await e.close();
      expect(() => e.damaged()).toThrow(expect.objectContaining({ code: 'NOT_OPEN' }));
    });
  });
}
