import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { isDynamisError } from '@dynamis/core';
import type { WritableFile } from '@dynamis/core';
import { MemoryFileSystem } from '@dynamis/testkit';
import { LOG_BLOCK_SIZE, LOG_HEADER_BYTES } from './logFormat';
import { WalReader } from './WalReader';
import type { WalRecoveryMode } from './WalReader';
import { WalWriter } from './WalWriter';

/** Seeded bytes. */
function bytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed | 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** Writes records; returns the log bytes and where each record's first fragment starts. */
function writeLog(records: Uint8Array[]): { data: Uint8Array; starts: number[] } {
  const fs = new MemoryFileSystem();
  const w = new WalWriter(fs.create('log'));
  const starts: number[] = [];
  for (const r of records) {
    const left = LOG_BLOCK_SIZE - (w.size % LOG_BLOCK_SIZE);
    starts.push(left < LOG_HEADER_BYTES ? w.size + left : w.size);
    w.addRecord(r);
  }
  return { data: fs.readFile('log'), starts };
}

function readAll(data: Uint8Array, mode?: WalRecoveryMode): { records: Uint8Array[]; reader: WalReader } {
  const reader = new WalReader(data, 'log', mode);
  return { records: [...reader].map((r) => r.slice()), reader };
}

/** Compares record lists (jest's toEqual is slow on big typed arrays). */
function same(got: Uint8Array[], want: Uint8Array[]): boolean {
  return got.length === want.length && got.every((g, i) => Buffer.compare(g, want[i]!) === 0);
}

function corruptionAt(f: () => unknown): { file?: unknown; offset?: unknown } | undefined {
  try {
    f();
  } catch (err) {
    if (isDynamisError(err, 'CORRUPTION')) return err.details;
    throw err;
  }
  return undefined;
}

const sizes = [0, 1, 100, 32 * 1024 - 7, 32 * 1024, 70_000, 5, 200_000, 3, 32 * 1024 - 14, 12, 999];
const records = sizes.map((n, i) => bytes(n, i + 1));

describe('WAL', () => {
  it('round-trips records of any size, across blocks, in every mode', () => {
    const { data } = writeLog(records);
    for (const mode of ['tolerate-corrupted-tail', 'absolute-consistency', 'point-in-time'] as const) {
      const { records: got, reader } = readAll(data, mode);
      expect(same(got, records)).toBe(true);
      expect(reader.dropped).toBeUndefined();
      expect(reader.validBytes).toBe(data.length);
    }
  });

  it('round-trips random records (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 40_000 }), { maxLength: 12 }), fc.nat(), (lens, seed) => {
        const recs = lens.map((n, i) => bytes(n, seed + i));
        expect(same(readAll(writeLog(recs).data).records, recs)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('appends each record with one append call, and continues an existing log', async () => {
    const fs = new MemoryFileSystem();
    let appends = 0;
    const file = fs.create('log');
    const counting: WritableFile = {
      path: file.path,
      get size() {
        return file.size;
      },
      append: (d) => {
        appends++;
        file.append(d);
      },
      sync: () => file.sync(),
      close: () => file.close(),
    };
    const w = new WalWriter(counting);
    w.addRecord(records[5]!);
    w.addRecord(records[2]!);
    expect(appends).toBe(2);
    await w.sync();
    await w.close();
    const w2 = new WalWriter(fs.openAppend('log'));
    w2.addRecord(records[7]!);
    w2.addRecord(records[1]!);
    await w2.close();
    expect(same(readAll(fs.readFile('log')).records, [records[5]!, records[2]!, records[7]!, records[1]!])).toBe(true);
  });

  it('keeps exactly the complete records when truncated at every offset of the last record', () => {
    const recs = [bytes(20_000, 1), bytes(9_000, 2), bytes(300, 3), bytes(40_000, 4)]; // the last spans a block boundary
    const { data, starts } = writeLog(recs);
    const lastStart = starts[3]!;
    const failures: string[] = [];
    for (let cut = lastStart; cut < data.length; cut++) {
      const reader = new WalReader(data.subarray(0, cut), 'log');
      const got = [...reader];
      if (!same(got, recs.slice(0, 3))) failures.push(`cut ${cut}: got ${got.length} records`);
      if (reader.validBytes !== starts[2]! + LOG_HEADER_BYTES + 300) failures.push(`cut ${cut}: validBytes ${reader.validBytes}`);
      const d = reader.dropped;
      if (cut > lastStart && (d?.offset !== lastStart || d.droppedBytes !== cut - lastStart))
        failures.push(`cut ${cut}: dropped ${JSON.stringify(d)}`);
      if (cut % 997 === 0 && cut > lastStart) {
        expect(corruptionAt(() => readAll(data.subarray(0, cut), 'absolute-consistency'))).toMatchObject({
          file: 'log',
          recordOffset: lastStart,
        });
        expect(readAll(data.subarray(0, cut), 'point-in-time').records.length).toBe(3);
      }
    }
    expect(failures).toEqual([]);
  });

  it('on a flipped byte mid-log: point-in-time keeps the prefix, absolute and tolerate throw', () => {
    const recs = Array.from({ length: 60 }, (_, i) => bytes(50 + ((i * 7919) % 3000), i));
    const { data, starts } = writeLog(recs);
    for (const [victim, within] of [
      [30, LOG_HEADER_BYTES + 10], // payload
      [31, 0], // CRC
      [32, 4], // length
      [33, 6], // type
    ] as const) {
      const bad = data.slice();
      bad[starts[victim]! + within]! ^= 0x20;
      const pit = readAll(bad, 'point-in-time');
      expect(same(pit.records, recs.slice(0, victim))).toBe(true);
      expect(pit.reader.dropped).toMatchObject({ offset: starts[victim], droppedBytes: data.length - starts[victim]! });
      expect(corruptionAt(() => readAll(bad, 'absolute-consistency'))).toMatchObject({ file: 'log', offset: starts[victim] });
      expect(corruptionAt(() => readAll(bad, 'tolerate-corrupted-tail'))).toMatchObject({ file: 'log', offset: starts[victim] });
    }
  });

  it('in tolerate mode drops a garbled last record but not one followed by good data', () => {
    const recs = [bytes(100, 1), bytes(200, 2), bytes(50_000, 3)];
    const { data, starts } = writeLog(recs);
    const bad = data.slice();
    bad[data.length - 5]! ^= 0xff; // inside the LAST fragment of the last record
    const { records: got, reader } = readAll(bad);
    expect(same(got, recs.slice(0, 2))).toBe(true);
    expect(reader.dropped).toMatchObject({ offset: starts[2], reason: 'fragment checksum mismatch' });
    const bad2 = data.slice();
    bad2[starts[2]! + 100]! ^= 0xff; // inside the FIRST fragment: valid fragments follow
    expect(corruptionAt(() => readAll(bad2))).toMatchObject({ offset: starts[2] });
    const zeros = new Uint8Array(data.length + 100);
    zeros.set(data); // preallocated zeros after the log: a tail
    const z = readAll(zeros);
    expect(same(z.records, recs)).toBe(true);
    expect(z.reader.dropped).toMatchObject({ offset: data.length, droppedBytes: 100 });
  });

  it('poisons the writer after a failed append', async () => {
    const boom = new Error('EIO');
    let calls = 0;
    const w = new WalWriter({
      path: 'x',
      size: 0,
      append: () => {
        if (++calls === 2) throw boom;
      },
      sync: () => Promise.resolve(),
      close: () => Promise.resolve(),
    });
    w.addRecord(records[2]!);
    expect(() => w.addRecord(records[2]!)).toThrow(boom);
    expect(() => w.addRecord(records[2]!)).toThrow(boom);
    await expect(w.sync()).rejects.toBe(boom);
    expect(calls).toBe(2);
  });

  it('rejects an unknown recovery mode', () => {
    expect(() => new WalReader(new Uint8Array(0), 'log', 'nope' as WalRecoveryMode)).toThrow(/recovery mode/);
  });
});
