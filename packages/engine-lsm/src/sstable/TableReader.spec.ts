import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DynamisError, isDynamisError } from '@dynamis/core';
import type { WritableFile } from '@dynamis/core';
import { MemoryFileSystem } from '@dynamis/testkit';
import { compareInternal } from '../util/internalKey';
import type { EntryKind } from '../util/internalKey';
import { TableReader } from './TableReader';
import type { TableIterator } from './TableIterator';
import { buildTable, newCache, sortEntries } from '../../test/support/tableTestUtil';
import type { TestEntry } from '../../test/support/tableTestUtil';

function collect(it: TableIterator, reverse: boolean): TestEntry[] {
  const out: TestEntry[] = [];
  if (reverse) for (it.seekToLast(); it.valid; it.prev()) out.push(snap(it));
  else for (it.seekToFirst(); it.valid; it.next()) out.push(snap(it));
  return out;
}

function snap(it: TableIterator): TestEntry {
  return { key: it.key.slice(), seq: it.seq, kind: it.kind, value: it.value.slice() };
}

/** The model answer for get(key, snapshot). */
function modelGet(sorted: TestEntry[], key: Uint8Array, snapshot: number): TestEntry | undefined {
  const e = sorted[lowerBound(sorted, key, snapshot)];
  return e !== undefined && Buffer.compare(e.key, key) === 0 ? e : undefined;
}

function lowerBound(sorted: TestEntry[], key: Uint8Array, seq: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const e = sorted[mid]!;
    if (compareInternal(e.key, e.seq, e.kind, key, seq, 1) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function bigEntries(n: number): TestEntry[] {
  const es: TestEntry[] = [];
  let seq = 1;
  for (let i = 0; i < n; i++) {
    const key = Buffer.from(`key${String(i * 7).padStart(9, '0')}`);
    const versions = i % 10 === 0 ? 3 : 1;
    for (let v = 0; v < versions; v++) {
      const kind: EntryKind = i % 13 === 0 && v === 0 ? 0 : 1;
      es.push({ key, seq: seq++, kind, value: kind === 1 ? Buffer.from(`value-${i}-${v}-`.repeat(1 + (i % 5))) : new Uint8Array(0) });
    }
  }
  return sortEntries(es);
}

describe('TableReader', () => {
  it('round-trips 100k entries: point gets, full iteration both ways, seek', async () => {
    const fs = new MemoryFileSystem();
    const sorted = bigEntries(100_000);
    const props = await buildTable(fs, 't.sst', sorted);
    expect(props.entryCount).toBe(sorted.length);
    expect(props.fileSize).toBe(fs.size('t.sst'));
    const t = TableReader.open(fs, 't.sst', 1, newCache());
    expect(t.properties).toEqual(props);
    expect(t.properties.deletionCount).toBe(sorted.filter((e) => e.kind === 0).length);
    expect(t.properties.smallest).toEqual({ key: new Uint8Array(sorted[0]!.key), seq: sorted[0]!.seq, kind: sorted[0]!.kind });
    for (let i = 0; i < sorted.length; i += 7) {
      const e = sorted[i]!;
      const want = modelGet(sorted, e.key, Infinity)!;
      const got = t.get(e.key);
      expect(got).toEqual(want.kind === 1 ? { kind: 1, seq: want.seq, value: new Uint8Array(want.value) } : { kind: 0, seq: want.seq });
      const older = modelGet(sorted, e.key, e.seq - 1);
      const gotOlder = t.get(e.key, e.seq - 1);
      expect(gotOlder?.seq).toBe(older?.seq);
    }
    const before = t.bloomSkips + t.bloomFalsePositives;
    for (let i = 0; i < 2000; i++) expect(t.get(Buffer.from(`key${String(i * 7 + 3).padStart(9, '0')}`))).toBeUndefined();
    expect(t.bloomSkips + t.bloomFalsePositives - before).toBe(2000);
    expect(t.bloomFalsePositives).toBeLessThan(60);
    const fwd = collect(t.iterator(), false);
    expect(fwd.length).toBe(sorted.length);
    expect(fwd.every((e, i) => compareInternal(e.key, e.seq, e.kind, sorted[i]!.key, sorted[i]!.seq, sorted[i]!.kind) === 0)).toBe(true);
    expect(fwd.every((e, i) => Buffer.compare(e.value, sorted[i]!.value) === 0)).toBe(true);
    const back = collect(t.iterator(), true);
    expect(back.length).toBe(sorted.length);
    expect(back.every((e, i) => e.seq === sorted[sorted.length - 1 - i]!.seq)).toBe(true);
    const it = t.iterator();
    for (let i = 0; i < 3000; i++) {
      const probe = Buffer.from(`key${String(i * 233).padStart(9, '0')}`);
      it.seek(probe);
      const lb = lowerBound(sorted, probe, Number.MAX_SAFE_INTEGER);
      expect(it.valid).toBe(lb < sorted.length);
      if (lb < sorted.length) expect(it.seq).toBe(sorted[lb]!.seq);
    }
    t.close();
  });

  it('matches a model for random tables, block sizes and restart intervals (property)', async () => {
    // A tiny alphabet: shared prefixes (prefix compression, separators) and 0xff runs (successors).
    const keyArb = fc.array(fc.constantFrom(0, 1, 2, 0xfe, 0xff), { maxLength: 8 }).map((a) => Uint8Array.from(a));
    const entryArb = fc.record({
      key: keyArb,
      kind: fc.constantFrom<EntryKind>(0, 1, 1),
      value: fc.uint8Array({ maxLength: 40 }),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(entryArb, { minLength: 1, maxLength: 150 }),
        fc.integer({ min: 64, max: 600 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom(0, 1, 10),
        fc.array(fc.tuple(keyArb, fc.nat(200)), { maxLength: 20 }),
        async (raw, blockSize, restartInterval, bloomBitsPerKey, probes) => {
          const fs = new MemoryFileSystem();
          const sorted = sortEntries(raw.map((r, i) => ({ ...r, seq: i, value: r.kind === 1 ? r.value : new Uint8Array(0) })));
          await buildTable(fs, 'p.sst', sorted, { blockSize, restartInterval, bloomBitsPerKey });
          const t = TableReader.open(fs, 'p.sst', 7, newCache(blockSize * 3));
          expect(collect(t.iterator(), false).map((e) => e.seq)).toEqual(sorted.map((e) => e.seq));
          expect(collect(t.iterator(), true).map((e) => e.seq)).toEqual(sorted.map((e) => e.seq).reverse());
          const it = t.iterator();
          for (const [key, snapshot] of [...probes, ...sorted.map((e): [Uint8Array, number] => [e.key, e.seq])]) {
            expect(t.get(key, snapshot)?.seq).toBe(modelGet(sorted, key, snapshot)?.seq);
            it.seek(key, snapshot);
            const lb = lowerBound(sorted, key, snapshot);
            expect(it.valid ? it.seq : -1).toBe(lb < sorted.length ? sorted[lb]!.seq : -1);
            if (it.valid && lb > 0) {
              it.prev();
              expect(it.seq).toBe(sorted[lb - 1]!.seq);
            }
          }
          t.close();
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects out-of-order entries, bad arguments and empty tables', async () => {
    const fs = new MemoryFileSystem();
    const { TableBuilder } = await import('./TableBuilder');
    const b = new TableBuilder(fs.create('x.sst'));
    b.add(Buffer.from('b'), 5, 1, Buffer.from('v'));
    const invalid = (f: () => void): boolean => {
      try {
        f();
        return false;
      } catch (err) {
        return isDynamisError(err, 'INVALID_ARGUMENT');
      }
    };
    expect(invalid(() => b.add(Buffer.from('a'), 9, 1, Buffer.from('v')))).toBe(true);
    expect(invalid(() => b.add(Buffer.from('b'), 5, 0))).toBe(true);
    expect(invalid(() => b.add(Buffer.from('b'), 6, 1))).toBe(true);
    expect(invalid(() => b.add(Buffer.from('c'), -1, 1))).toBe(true);
    expect(invalid(() => b.add(Buffer.from('c'), 1, 2 as EntryKind))).toBe(true);
    b.add(Buffer.from('b'), 4, 0);
    expect(b.entryCount).toBe(2);
    await b.abandon();
    expect(invalid(() => b.add(Buffer.from('z'), 1, 1))).toBe(true);
    const empty = new TableBuilder(fs.create('e.sst'));
    await expect(empty.finish()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => new TableBuilder(fs.create('o.sst'), { blockSize: 10 })).toThrow(/blockSize/);
  });

  it('after a failed append, rethrows the I/O error and closes the file on finish', async () => {
    const fs = new MemoryFileSystem();
    const { TableBuilder } = await import('./TableBuilder');
    const inner = fs.create('f.sst');
    let closed = false;
    const boom = new DynamisError('IO_ERROR', 'disk full', { details: { path: 'f.sst', errno: 'ENOSPC' } });
    const failing: WritableFile = {
      path: inner.path,
      get size() {
        return inner.size;
      },
      append: () => {
        throw boom;
      },
      sync: () => inner.sync(),
      close: () => {
        closed = true;
        return inner.close();
      },
    };
    const b = new TableBuilder(failing, { blockSize: 64 });
    let thrown: unknown;
    try {
      for (let i = 0; i < 10_000; i++) b.add(Buffer.from(`k${String(i).padStart(6, '0')}`), 1, 1, new Uint8Array(50));
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBe(boom);
    expect(() => b.add(Buffer.from('z'), 1, 1)).toThrow(boom);
    await expect(b.finish()).rejects.toBe(boom);
    expect(closed).toBe(true);
  });
});
