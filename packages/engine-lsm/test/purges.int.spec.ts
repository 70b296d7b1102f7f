import { describe, expect, it } from '@jest/globals';
import { DynamisError, SystemClock, type CompactionFilter, type PurgedKey, type PurgeReport, type WritableFile } from '@dynamis/core';
import { FaultyFileSystem, MemoryFileSystem } from '@dynamis/testkit';
import { LsmStorageEngine, type LsmOptions } from '../src';
import { PURGE_RECORD_OVERHEAD } from '../src/compaction/PurgeLog';
import { key, s, smallOptions, stat } from './helpers';

const clock = new SystemClock();
const N = 300;

async function open(fs: MemoryFileSystem, options: LsmOptions = smallOptions('leveled')): Promise<LsmStorageEngine> {
  const e = new LsmStorageEngine(fs, '/db', options, clock);
  await e.open();
  return e;
}

const text = (b: Uint8Array | undefined): string | undefined => (b === undefined ? undefined : Buffer.from(b).toString());

/** Values 'dead…' are removed (noted with the key's number), 'trim…' replaced by 'trimmed'; the rest kept. */
const filter: CompactionFilter = (k, value) => {
  const v = text(value)!;
  if (v.startsWith('dead')) return { action: 'remove', note: s(v.slice(4)) };
  if (v.startsWith('trim') && v !== 'trimmed') return { action: 'replace', value: s('trimmed') };
  return { action: 'keep' };
};

/** Writes N keys (every third dead, every fifth other one to trim) and flushes them; returns the expected purges. */
async function fill(e: LsmStorageEngine): Promise<[string, PurgedKey['action'], string | undefined][]> {
  const expected: [string, PurgedKey['action'], string | undefined][] = [];
  for (let i = 0; i < N; i++) {
    const value = i % 3 === 0 ? `dead${i}` : i % 5 === 0 ? `trim${i}` : `live${i}`;
    await e.put(key(i), s(value));
    if (i % 3 === 0) expected.push([text(key(i))!, 'remove', String(i)]);
    else if (i % 5 === 0) expected.push([text(key(i))!, 'replace', undefined]);
  }
  await e.compactRange(); // no filter yet: everything flushed and merged, nothing purged
  return expected;
}

const flat = (reports: PurgeReport[]) => reports.flatMap((r) => r.keys.map((p) => [text(p.key), p.action, text(p.note)]));

/** A FaultyFileSystem whose MANIFEST syncs fail while `failManifestSync` is set. */
class ManifestFaults extends FaultyFileSystem {
  failManifestSync = false;
  override create(path: string): WritableFile {
    return this.watch(path, super.create(path));
  }
  override openAppend(path: string): WritableFile {
    return this.watch(path, super.openAppend(path));
  }
  private watch(path: string, file: WritableFile): WritableFile {
    if (!path.includes('MANIFEST')) return file;
    const sync = file.sync.bind(file);
    return Object.assign(file, {
      sync: () => (this.failManifestSync ? Promise.reject(new DynamisError('IO_ERROR', 'injected manifest sync failure')) : sync()),
    });
  }
}

describe('engine-lsm purge reports', () => {
  it('reports exactly the keys the filter purged, with their notes, in key order', async () => {
    const e = await open(new MemoryFileSystem());
    const expected = await fill(e);
    const reports: PurgeReport[] = [];
    e.setPurgeListener((r) => reports.push(r));
    e.setCompactionFilter(filter);
    await e.compactRange();
    expect(flat(reports)).toEqual(expected);
    expect(reports.every((r) => r.unlisted === undefined)).toBe(true);
    expect(stat(e, 'filterRemoved') + stat(e, 'filterReplaced')).toBe(expected.length);
    await e.close();
  });

  it('reports only once the compaction is committed: a power loss right then keeps every reported purge', async () => {
    const fs = new FaultyFileSystem();
    const e = await open(fs);
    const expected = await fill(e);
    const reported: PurgedKey[] = [];
    e.setPurgeListener((r) => {
      if (reported.length === 0) fs.crash(); // the machine dies the moment the first report arrives
      reported.push(...r.keys);
    });
    e.setCompactionFilter(filter);
    await e.compactRange().catch(() => undefined); // the crashed process may fail afterwards
    await e.close().catch(() => undefined);
    expect(reported.length).toBe(expected.length);
    const again = await open(fs);
    for (const p of reported) {
      expect(text(await again.get(p.key))).toBe(p.action === 'remove' ? undefined : 'trimmed');
    }
    await again.close();
  });

  it('reports nothing for a compaction whose commit fails, nor for one whose filter throws', async () => {
    const fs = new ManifestFaults();
    const e = await open(fs);
    const expected = await fill(e);
    const reports: PurgeReport[] = [];
    e.setPurgeListener((r) => reports.push(r));
    e.setCompactionFilter((k, v) => {
      fs.failManifestSync = true; // outputs get written; their manifest edit will not commit
      return filter(k, v);
    });
    await expect(e.compactRange()).rejects.toMatchObject({ code: 'IO_ERROR' });
    expect(reports).toEqual([]);
    expect(stat(e, 'filterRemoved')).toBe(0);
    await e.close().catch(() => undefined);
    fs.failManifestSync = false;
    fs.crash(); // what the failed sync did not make durable is gone

    const again = await open(fs);
    again.setPurgeListener((r) => reports.push(r));
    let calls = 0;
    again.setCompactionFilter((k, v) => {
      if (++calls === 50) throw new Error('filter bug');
      return filter(k, v);
    });
    await expect(again.compactRange()).rejects.toThrow('filter bug');
    expect(reports).toEqual([]);
    expect(text(await again.get(key(0)))).toBe('dead0'); // nothing purged by either
    again.setCompactionFilter(filter);
    await again.compactRange();
    expect(flat(reports)).toEqual(expected);
    await again.close();
  });

  it('holds at most purgeReportBytes per compaction; the purges past it are reported as one unlisted range', async () => {
    const bound = 20 * (7 + PURGE_RECORD_OVERHEAD + 3);
    const base = smallOptions('leveled');
    const e = await open(new MemoryFileSystem(), { ...base, compaction: { ...base.compaction, purgeReportBytes: bound } });
    const expected = await fill(e);
    const reports: PurgeReport[] = [];
    e.setPurgeListener((r) => reports.push(r));
    e.setCompactionFilter(filter);
    await e.compactRange();
    const listed = flat(reports);
    let bytes = 0;
    for (const r of reports) for (const p of r.keys) bytes += p.key.length + (p.note?.length ?? 0) + PURGE_RECORD_OVERHEAD;
    expect(bytes).toBeLessThanOrEqual(bound);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed).toEqual(expected.slice(0, listed.length)); // the first ones, itemized
    const unlisted = reports.at(-1)!.unlisted!;
    expect([text(unlisted.gte), text(unlisted.lte)]).toEqual([expected[listed.length]![0], expected.at(-1)![0]]);
    await e.close();
  });
});
