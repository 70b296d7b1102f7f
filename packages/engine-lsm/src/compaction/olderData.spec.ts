import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { FileMeta, fileContains } from '../version/FileMeta';
import { Version } from '../version/Version';
import { jobFiles, type CompactionJob } from './CompactionStrategy';
import { hasNoOlderData, olderDataOf } from './olderData';

let nextNumber = 1;
const file = (lo: number, hi: number, minSeq: number, maxSeq: number): FileMeta =>
  new FileMeta(nextNumber++, 100, 10, 0, 100, minSeq, maxSeq, Uint8Array.of(lo), Uint8Array.of(hi));

/** A version: overlapping L0 files newest first, then 3 sorted levels of disjoint files. */
const versionArb = fc
  .record({
    l0: fc.array(fc.tuple(fc.nat(255), fc.nat(255)), { maxLength: 6 }),
    levels: fc.array(fc.uniqueArray(fc.nat(255), { maxLength: 12 }), { minLength: 3, maxLength: 3 }),
  })
  .map(({ l0, levels }) => {
    let seq = 1000;
    const out: FileMeta[][] = [l0.map(([a, b]) => file(Math.min(a, b), Math.max(a, b), (seq -= 10), seq + 9))];
    for (const cuts of levels) {
      const sorted = [...cuts].sort((x, y) => x - y);
      const files: FileMeta[] = [];
      for (let i = 0; i + 1 < sorted.length; i += 2) files.push(file(sorted[i]!, sorted[i + 1]!, seq - 9, seq - 1));
      seq -= 10;
      out.push(files);
    }
    return new Version(out);
  });

/** The predicate as runCompaction computed it before it became data (reference). */
function reference(job: CompactionJob, version: Version): (key: Uint8Array) => boolean {
  const inputs = jobFiles(job);
  const taken = new Set(inputs.map((f) => f.number));
  const minSeq = Math.min(...inputs.map((f) => f.minSeq));
  const olderL0 = job.outputLevel === 0 ? version.files(0).filter((f) => !taken.has(f.number) && f.maxSeq < minSeq) : [];
  return (key) => !version.keyMayExistBelow(job.outputLevel, key) && !olderL0.some((f) => fileContains(f, key));
}

describe('olderDataOf / hasNoOlderData', () => {
  it('decides like the version itself for every key of the inputs, from plain data', () => {
    fc.assert(
      fc.property(versionArb, fc.nat(3), fc.nat(), fc.nat(), (version, outputLevel, pick, width) => {
        const pool = version.files(outputLevel === 0 ? 0 : Math.max(0, outputLevel - 1));
        if (pool.length === 0) return;
        const start = pick % pool.length;
        const files = pool.slice(start, start + 1 + (width % 3));
        const job: CompactionJob = { reason: 'test', inputs: [{ level: 0, files }], outputLevel, splitOutput: true };
        const older = olderDataOf(job, version);
        const cloned = structuredClone(older); // as the worker receives it
        const expected = reference(job, version);
        const actual = hasNoOlderData(cloned);
        for (const f of files) {
          for (let k = f.smallest[0]!; k <= f.largest[0]!; k++) {
            const key = Uint8Array.of(k);
            expect([k, actual(key)]).toEqual([k, expected(key)]);
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('keeps only the ranges that overlap the inputs, in fresh buffers', () => {
    const big = new Uint8Array(1 << 20);
    big.set([5], 0);
    big.set([9], 1);
    const below = new FileMeta(1, 1, 1, 0, 1, 1, 1, big.subarray(0, 1), big.subarray(1, 2));
    const far = file(200, 210, 1, 1);
    const input = file(4, 8, 50, 60);
    const version = new Version([[input], [], [below, far]]);
    const older = olderDataOf({ reason: 't', inputs: [{ level: 0, files: [input] }], outputLevel: 1, splitOutput: true }, version);
    expect(older.levels).toEqual([[{ smallest: Uint8Array.of(5), largest: Uint8Array.of(9) }]]);
    expect(older.levels[0]![0]!.smallest.buffer.byteLength).toBe(1);
  });
});
