import { describe, expect, it } from '@jest/globals';
import { PURGE_REPORT_CHUNK, type PurgeReport } from '@dynamis/core';
import { storageEngineContract, storageEngineModelTest, SeededRandom } from '@dynamis/testkit';
import { MemoryStorageEngine } from './MemoryStorageEngine';

const factory = { create: () => new MemoryStorageEngine() };

storageEngineContract('MemoryStorageEngine', factory);
storageEngineContract('MemoryStorageEngine (maxNodeSize 4)', { create: () => new MemoryStorageEngine({ maxNodeSize: 4 }) });
storageEngineModelTest('MemoryStorageEngine', factory, { numRuns: 250 });
storageEngineModelTest(
  'MemoryStorageEngine (maxNodeSize 4)',
  { create: () => new MemoryStorageEngine({ maxNodeSize: 4 }) },
  { numRuns: 100 },
);

/** A deterministic PRNG giving floats in [0, 1) (testkit's SeededRandom), so tests need no Math.random. */
function prng(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}

describe('MemoryStorageEngine', () => {
  it('100k random puts, then a full scan returns sorted unique keys', async () => {
    const e = new MemoryStorageEngine();
    await e.open();
    const rand = prng(42);
    const distinct = new Set<string>();
    for (let i = 0; i < 100_000; i++) {
      const key = new Uint8Array(1 + Math.floor(rand() * 12));
      for (let j = 0; j < key.length; j++) key[j] = Math.floor(rand() * 256);
      distinct.add(Buffer.from(key).toString('hex'));
      await e.put(key, key);
    }
    const it = e.iterator();
    let previous: Uint8Array | undefined;
    let count = 0;
    let misordered = 0;
    let mismatched = 0;
    for (let batch = await it.nextv(1000); batch.length > 0; batch = await it.nextv(1000)) {
      for (const [k, v] of batch) {
        if (previous !== undefined && Buffer.compare(previous, k) !== -1) misordered++;
        if (Buffer.compare(k, v) !== 0) mismatched++;
        previous = k;
        count++;
      }
    }
    expect({ misordered, mismatched }).toEqual({ misordered: 0, mismatched: 0 });
    expect(count).toBe(distinct.size);
    expect(e.stats().counters.keys).toBe(distinct.size);
    await e.close();
  });

  it('reports exact live keys and bytes', async () => {
    const e = new MemoryStorageEngine();
    await e.open();
    await e.put(Buffer.from('ab'), new Uint8Array(10));
    await e.put(Buffer.from('c'), new Uint8Array(5));
    await e.put(Buffer.from('ab'), new Uint8Array(3));
    expect(e.stats()).toEqual({
      engine: 'memory',
      approximateBytes: 2 + 3 + 1 + 5,
      counters: { keys: 2, filterRemoved: 0, filterReplaced: 0, purgeListenerFailures: 0 },
    });
    await e.write([
      { type: 'del', key: Buffer.from('c') },
      { type: 'del', key: Buffer.from('missing') },
    ]);
    expect(e.stats().approximateBytes).toBe(5);
    e.setCompactionFilter(() => ({ action: 'remove' }));
    await e.compactRange();
    expect(e.stats()).toEqual({
      engine: 'memory',
      approximateBytes: 0,
      counters: { keys: 0, filterRemoved: 1, filterReplaced: 0, purgeListenerFailures: 0 },
    });
    await e.close();
  });

  it('compactRange(range) runs the filter on exactly the keys in the range', async () => {
    const e = new MemoryStorageEngine();
    await e.open();
    for (const k of ['a', 'b', 'c', 'd']) await e.put(Buffer.from(k), Buffer.from(k));
    const seen: string[] = [];
    e.setCompactionFilter((key) => {
      seen.push(Buffer.from(key).toString());
      return { action: 'remove' };
    });
    await e.compactRange({ gt: Buffer.from('a'), lt: Buffer.from('d') });
    expect(seen).toEqual(['b', 'c']);
    await e.compactRange({ gte: Buffer.from('d'), lte: Buffer.from('d') });
    expect(seen).toEqual(['b', 'c', 'd']);
    expect(e.stats().counters.keys).toBe(1);
    await e.close();
  });

  it('rejects a malformed filter decision and changes nothing', async () => {
    const e = new MemoryStorageEngine();
    await e.open();
    await e.put(Buffer.from('a'), Buffer.from('1'));
    await e.put(Buffer.from('b'), Buffer.from('2'));
    e.setCompactionFilter((key) => (key[0] === 0x61 ? { action: 'remove' } : ({ action: 'replace' } as never)));
    await expect(e.compactRange()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(e.stats().counters.keys).toBe(2);
    await e.close();
  });

  it('overwrites in place only what no snapshot or iterator can see (one clone generation at a time)', async () => {
    const e = new MemoryStorageEngine({ maxNodeSize: 4 });
    await e.open();
    const k = Buffer.from('k');
    const text = async (snapshot?: ReturnType<typeof e.snapshot>) =>
      Buffer.from((await e.get(k, snapshot === undefined ? undefined : { snapshot }))!).toString();
    for (let i = 0; i < 20; i++) await e.put(Buffer.from(`x${i}`), Buffer.from('x'));
    await e.put(k, Buffer.from('v1'));
    await e.put(k, Buffer.from('v22')); // same generation: replaced in its cell
    const first = e.snapshot();
    await e.put(k, Buffer.from('v333')); // a new cell: first keeps v22
    await e.put(k, Buffer.from('v4444')); // the new cell, replaced in place
    const it = e.iterator({ gte: k, lte: k });
    const second = e.snapshot(); // shares the iterator's clone
    await e.put(k, Buffer.from('v5'));
    await e.put(k, Buffer.from('v66'));
    expect([await text(first), await text(second), await text()]).toEqual(['v22', 'v4444', 'v66']);
    expect((await it.nextv(2)).map(([, v]) => Buffer.from(v).toString())).toEqual(['v4444']);
    expect(e.stats().approximateBytes).toBe(10 * 3 + 10 * 4 + 1 + 3); // x0..x9, x10..x19, k = v66
    await it.close();
    first.release();
    second.release();
    await e.close();
  });

  it('rejects a bad maxNodeSize with INVALID_CONFIG', () => {
    for (const maxNodeSize of [0, 3, 257, 1.5, NaN]) {
      expect(() => new MemoryStorageEngine({ maxNodeSize })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    }
  });

  it('reports the purges of compactRange to the purge listener once applied, in key order, with the notes', async () => {
    const e = new MemoryStorageEngine();
    await e.open();
    for (const k of ['a', 'b', 'c', 'd', 'e']) await e.put(Buffer.from(k), Buffer.from(k));
    const reports: PurgeReport[] = [];
    const seen: (Uint8Array | undefined)[] = [];
    e.setPurgeListener((r) => reports.push(r));
    e.setCompactionFilter((key) =>
      key[0] === 0x62 || key[0] === 0x65
        ? { action: 'remove', note: Uint8Array.of(key[0]) }
        : key[0] === 0x63
          ? { action: 'replace', value: Buffer.from('C') }
          : { action: 'keep' },
    );
    await e.compactRange();
    const text = (b: Uint8Array): string => Buffer.from(b).toString();
    expect(reports.map((r) => r.keys.map((p) => [text(p.key), p.action, p.note === undefined ? null : [...p.note]]))).toEqual([
      [
        ['b', 'remove', [0x62]],
        ['c', 'replace', null],
        ['e', 'remove', [0x65]],
      ],
    ]);
    expect(reports[0]!.unlisted).toBeUndefined();
    for (const k of ['b', 'e']) seen.push(await e.get(Buffer.from(k)));
    expect(seen).toEqual([undefined, undefined]);
    // A filter that throws, or a malformed note: nothing applied, nothing reported.
    reports.length = 0;
    e.setCompactionFilter((key) => {
      if (key[0] === 0x64) throw new Error('filter bug');
      return { action: 'remove' };
    });
    await expect(e.compactRange()).rejects.toThrow('filter bug');
    e.setCompactionFilter(() => ({ action: 'remove', note: 'x' as never }));
    await expect(e.compactRange()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(reports).toEqual([]);
    expect(e.stats().counters.keys).toBe(3);
    await e.close();
  });

  it('delivers a large purge in chunks; a throwing purge listener fails nothing and is counted', async () => {
    const e = new MemoryStorageEngine();
    await e.open();
    const n = 2 * PURGE_REPORT_CHUNK + 7;
    for (let i = 0; i < n; i++) await e.put(Buffer.from(`k${String(i).padStart(5, '0')}`), Uint8Array.of(1));
    const sizes: number[] = [];
    const keys: string[] = [];
    e.setPurgeListener((r) => {
      sizes.push(r.keys.length);
      for (const p of r.keys) keys.push(Buffer.from(p.key).toString());
    });
    e.setCompactionFilter(() => ({ action: 'remove' }));
    await e.compactRange();
    expect(sizes).toEqual([PURGE_REPORT_CHUNK, PURGE_REPORT_CHUNK, 7]);
    expect(keys).toEqual(Array.from({ length: n }, (_, i) => `k${String(i).padStart(5, '0')}`));
    e.setPurgeListener(() => {
      throw new Error('listener bug');
    });
    await e.put(Buffer.from('x'), Uint8Array.of(1));
    await expect(e.compactRange()).resolves.toBeUndefined();
    expect(await e.get(Buffer.from('x'))).toBeUndefined();
    expect(e.stats().counters.purgeListenerFailures).toBe(1);
    expect(() => e.setPurgeListener('no' as never)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    await e.close();
  });
});
