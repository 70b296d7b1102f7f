import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isDynamisError } from '@dynamis/core';
import { FaultyFileSystem, MemoryFileSystem } from '@dynamis/testkit';
import { currentFileName, logFileName, manifestFileName, parseFileName, tableFileName } from './fileNames';
import { FileMeta } from './FileMeta';
import { VersionEdit } from './VersionEdit';
import { VersionSet } from './VersionSet';

const DIR = '/db';

function meta(number: number, lo: number, hi: number, seq = number): FileMeta {
  return new FileMeta(number, 1000 + number, 10, 1, 500, seq, seq + 5, Uint8Array.of(lo), Uint8Array.of(hi));
}

function fresh(fs = new MemoryFileSystem(), obsolete: FileMeta[] = []): VersionSet {
  fs.mkdirp(DIR);
  return new VersionSet(fs, DIR, 4, (f) => obsolete.push(f));
}

function layout(vs: VersionSet): string[][] {
  return vs.current.levels.map((files) => files.map((f) => `${f.number}:${f.smallest[0]}-${f.largest[0]}`));
}

describe('VersionEdit', () => {
  const metaArb = fc
    .record({
      n: fc.nat(1 << 20),
      size: fc.nat(),
      entries: fc.nat(1000),
      raw: fc.nat(),
      seq: fc.nat(1 << 30),
      keys: fc.array(fc.uint8Array({ maxLength: 6 }), { minLength: 2, maxLength: 2 }),
    })
    .map(({ n, size, entries, raw, seq, keys }) => {
      const [a, b] = keys.sort((x, y) => Buffer.compare(x, y)) as [Uint8Array, Uint8Array];
      return new FileMeta(n, size, entries, Math.floor(entries / 2), raw, seq, seq + 3, a, b);
    });

  it('round-trips every field', () => {
    fc.assert(
      fc.property(fc.array(metaArb, { maxLength: 5 }), fc.option(fc.nat()), fc.option(fc.nat()), (files, log, last) => {
        const e = new VersionEdit();
        if (log !== null) e.logNumber = log;
        if (last !== null) e.lastSequence = last;
        e.nextFileNumber = 77;
        e.compactPointers.push({ level: 2, key: Uint8Array.of(1, 2) });
        files.forEach((f, i) => e.addFile(i % 4, f));
        e.deleteFile(3, 9);
        const d = VersionEdit.decode(e.encode(), 4, 'm', 0);
        expect(d).toEqual(e);
      }),
    );
  });

  it('rejects garbage with CORRUPTION naming the file and offset', () => {
    for (const bad of [Uint8Array.of(99, 1), Uint8Array.of(7, 9), Uint8Array.of(2), Uint8Array.of(5, 1, 200)]) {
      let err: unknown;
      try {
        VersionEdit.decode(bad, 4, 'MANIFEST-000001', 123);
      } catch (e) {
        err = e;
      }
      expect(isDynamisError(err, 'CORRUPTION')).toBe(true);
      expect((err as { details: unknown }).details).toMatchObject({ file: 'MANIFEST-000001', offset: 123 });
    }
  });
});

describe('VersionSet', () => {
  it('names files and parses them back', () => {
    expect(parseFileName('000012.log')).toEqual({ kind: 'log', number: 12 });
    expect(parseFileName('1234567.sst')).toEqual({ kind: 'table', number: 1234567 });
    expect(parseFileName('MANIFEST-000003')).toEqual({ kind: 'manifest', number: 3 });
    expect(parseFileName('CURRENT')).toEqual({ kind: 'current', number: 0 });
    expect(parseFileName('notes.txt')).toBeUndefined();
    expect(logFileName('/d', 5)).toBe('/d/000005.log');
    expect(tableFileName('/d', 5)).toBe('/d/000005.sst');
  });

  it('persists edits and recovers the same state, levels ordered', async () => {
    const fs = new MemoryFileSystem();
    const vs = fresh(fs);
    await vs.writeNewManifest();
    const e1 = new VersionEdit();
    e1.addFile(0, meta(vs.newFileNumber(), 1, 9, 10));
    e1.addFile(0, meta(vs.newFileNumber(), 3, 5, 20));
    e1.addFile(1, meta(vs.newFileNumber(), 20, 29));
    e1.addFile(1, meta(vs.newFileNumber(), 10, 19));
    e1.logNumber = 7;
    vs.lastSequence = 42;
    await vs.logAndApply(e1);
    const e2 = new VersionEdit();
    e2.deleteFile(1, 5);
    e2.compactPointers.push({ level: 1, key: Uint8Array.of(19) });
    await vs.logAndApply(e2);
    expect(layout(vs)).toEqual([['3:3-5', '2:1-9'], ['4:20-29'], [], []]);
    await vs.close();
    const again = fresh(fs);
    again.recover();
    expect(layout(again)).toEqual(layout(vs));
    expect(again.logNumber).toBe(7);
    expect(again.lastSequence).toBe(42);
    expect(again.nextFileNumber).toBeGreaterThanOrEqual(vs.nextFileNumber);
    expect(again.compactPointers[1]).toEqual(Uint8Array.of(19));
  });

  it('rejects an edit that would make a sorted level overlap, and installs nothing', async () => {
    const vs = fresh();
    await vs.writeNewManifest();
    const e = new VersionEdit();
    e.addFile(1, meta(10, 1, 5));
    e.addFile(1, meta(11, 5, 9));
    await expect(vs.logAndApply(e)).rejects.toMatchObject({ code: 'CORRUPTION' });
    expect(layout(vs)).toEqual([[], [], [], []]);
    await vs.logAndApply(new VersionEdit()); // a rejected edit does not break the manifest
  });

  it('hands a file to onObsolete only when no live version lists it', async () => {
    const obsolete: FileMeta[] = [];
    const vs = fresh(new MemoryFileSystem(), obsolete);
    await vs.writeNewManifest();
    const add = new VersionEdit();
    add.addFile(1, meta(10, 1, 5));
    await vs.logAndApply(add);
    const pinned = vs.acquire();
    const del = new VersionEdit();
    del.deleteFile(1, 10);
    await vs.logAndApply(del);
    expect(obsolete).toEqual([]);
    vs.release(pinned);
    expect(obsolete.map((f) => f.number)).toEqual([10]);
  });

  it('ignores a torn last edit (never acknowledged) and counts it', async () => {
    const fs = new FaultyFileSystem();
    const vs = fresh(fs);
    await vs.writeNewManifest();
    const e = new VersionEdit();
    e.addFile(1, meta(10, 1, 5));
    await vs.logAndApply(e);
    const path = manifestFileName(DIR, vs.manifestNumber);
    const f = fs.openAppend(path);
    const e2 = new VersionEdit();
    e2.addFile(2, meta(11, 1, 5));
    f.append(new Uint8Array(e2.encode().length + 7).fill(0x55)); // a garbled tail
    await f.close();
    const again = fresh(fs);
    again.recover();
    expect(layout(again)).toEqual([[], ['10:1-5'], [], []]);
    expect(again.manifestDroppedBytes).toBeGreaterThan(0);
  });

  it('refuses a CURRENT that names nothing, or a missing manifest', () => {
    const fs = new MemoryFileSystem();
    const vs = fresh(fs);
    const f = fs.create(currentFileName(DIR));
    f.append(Buffer.from('garbage\n'));
    expect(() => vs.recover()).toThrow(expect.objectContaining({ code: 'CORRUPTION' }));
    const g = fs.create(currentFileName(DIR));
    g.append(Buffer.from('MANIFEST-000009\n'));
    expect(() => fresh(fs).recover()).toThrow(expect.objectContaining({ code: 'CORRUPTION' }));
  });

  it('rolls the manifest over to a fresh snapshot and removes the old one', async () => {
    const fs = new MemoryFileSystem();
    const vs = fresh(fs);
    await vs.writeNewManifest();
    const first = vs.manifestNumber;
    await vs.writeNewManifest();
    expect(vs.manifestNumber).toBeGreaterThan(first);
    expect(fs.exists(manifestFileName(DIR, first))).toBe(false);
    expect(Buffer.from(fs.readFile(currentFileName(DIR))).toString()).toBe(`MANIFEST-${String(vs.manifestNumber).padStart(6, '0')}\n`);
  });

  it('after a failed manifest write every later edit rejects', async () => {
    const fs = new FaultyFileSystem();
    const vs = fresh(fs);
    await vs.writeNewManifest();
    fs.failNext('sync');
    await expect(vs.logAndApply(new VersionEdit())).rejects.toMatchObject({ code: 'IO_ERROR' });
    await expect(vs.logAndApply(new VersionEdit())).rejects.toMatchObject({ code: 'IO_ERROR' });
  });
});
