import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { parseLsmOptions } from '../options';
import { applyEdit } from '../version/applyEdit';
import { FileMeta, fileOverlaps } from '../version/FileMeta';
import { Version } from '../version/Version';
import { VersionEdit } from '../version/VersionEdit';
import { jobFiles, keyRange, type CompactionJob } from './CompactionStrategy';
import { LeveledStrategy } from './LeveledStrategy';
import { planRangeCompaction } from './rangeCompaction';
import { sortedRuns, TieredStrategy } from './TieredStrategy';

const LEVELS = 5;
let nextNumber = 1;

function file(lo: number, hi: number, size: number, minSeq: number, maxSeq: number): FileMeta {
  return new FileMeta(nextNumber++, size, 10, 0, size, minSeq, maxSeq, Uint8Array.of(lo), Uint8Array.of(hi));
}

/** Random valid versions: L0 files newest first with disjoint seq spans; sorted levels disjoint; deeper = older. */
const versionArb = fc
  .record({
    l0: fc.array(fc.record({ a: fc.nat(255), b: fc.nat(255), size: fc.integer({ min: 1, max: 5000 }) }), { maxLength: 8 }),
    levels: fc.array(fc.array(fc.record({ cut: fc.nat(255), size: fc.integer({ min: 1, max: 50_000 }) }), { maxLength: 6 }), {
      minLength: LEVELS - 1,
      maxLength: LEVELS - 1,
    }),
  })
  .map(({ l0, levels }) => {
    let seq = 1_000_000;
    const out: FileMeta[][] = [];
    const l0Files = l0.map(({ a, b, size }) => {
      const f = file(Math.min(a, b), Math.max(a, b), size, seq - 9, seq);
      seq -= 10;
      return f;
    });
    out.push(l0Files);
    for (const level of levels) {
      const cuts = [...new Set(level.map((x) => x.cut))].sort((x, y) => x - y);
      const files: FileMeta[] = [];
      for (let i = 0; i + 1 < cuts.length; i += 2) files.push(file(cuts[i]!, cuts[i + 1]!, level[i]!.size, seq - 9, seq - 1));
      seq -= 10;
      out.push(files);
    }
    return new Version(out);
  });

/** Checks that replacing the inputs by outputs at the output level keeps every key's copies ordered by age. */
function checkJob(version: Version, job: CompactionJob): void {
  const inputs = jobFiles(job);
  expect(inputs.length).toBeGreaterThan(0);
  const taken = new Set(inputs.map((f) => f.number));
  const { smallest, largest } = keyRange(inputs);
  const out = job.outputLevel;
  for (const input of job.inputs) expect(input.level).toBeLessThanOrEqual(out);
  const inputSeqMin = Math.min(...inputs.map((f) => f.minSeq));
  const inputSeqMax = Math.max(...inputs.map((f) => f.maxSeq));
  for (let level = 0; level <= out; level++) {
    for (const f of version.files(level)) {
      if (taken.has(f.number)) continue;
      if (level === 0) {
        const olderThanAnInput = inputs.some((i) => fileOverlaps(f, i.smallest, i.largest) && f.maxSeq < i.minSeq);
        if (out > 0) expect(olderThanAnInput).toBe(false);
        else expect(f.maxSeq > inputSeqMax || f.minSeq < inputSeqMin).toBe(true); // L0 inputs adjacent in age
      } else {
        // a file left above the output must not hold older copies of keys it rewrites
        const newerInputs = job.inputs.filter((i) => i.level < level).flatMap((i) => i.files);
        expect(newerInputs.some((i) => fileOverlaps(f, i.smallest, i.largest))).toBe(false);
        if (level === out) expect(fileOverlaps(f, smallest, largest)).toBe(false);
      }
    }
  }
  const edit = new VersionEdit();
  for (const input of job.inputs) for (const f of input.files) edit.deleteFile(input.level, f.number);
  edit.addFile(out, file(smallest[0]!, largest[0]!, 1, inputSeqMin, inputSeqMax));
  applyEdit(version, edit, 'test'); // throws on overlap in a sorted level
}

const options = parseLsmOptions({ compaction: { l0CompactionTrigger: 2, baseLevelBytes: 10_000, maxLevels: LEVELS } }).compaction;

describe('compaction strategies', () => {
  it('leveled jobs keep data ordered by age and levels disjoint', () => {
    const s = new LeveledStrategy(options);
    fc.assert(
      fc.property(versionArb, fc.option(fc.nat(255)), (v, p) => {
        const job = s.pick(v, { compactPointers: [undefined, p === null ? undefined : Uint8Array.of(p)] });
        if (job !== undefined) checkJob(v, job);
      }),
      { numRuns: 500 },
    );
  });

  it('tiered jobs keep data ordered by age and levels disjoint', () => {
    const s = new TieredStrategy(options);
    fc.assert(
      fc.property(versionArb, (v) => {
        const job = s.pick(v);
        if (job !== undefined) checkJob(v, job);
        if (sortedRuns(v).length >= 2) expect(job).toBeDefined();
      }),
      { numRuns: 500 },
    );
  });

  it('range compactions take every file holding keys of the range, down to the last level', () => {
    fc.assert(
      fc.property(versionArb, fc.nat(255), fc.nat(255), (v, a, b) => {
        const lo = Uint8Array.of(Math.min(a, b));
        const hi = Uint8Array.of(Math.max(a, b));
        const job = planRangeCompaction(v, lo, hi);
        const overlapping = v.allFiles().filter((f) => fileOverlaps(f, lo, hi));
        if (overlapping.length === 0) return expect(job).toBeUndefined();
        expect(job).toBeDefined();
        checkJob(v, job!);
        const taken = new Set(jobFiles(job!).map((f) => f.number));
        for (const f of overlapping) expect(taken.has(f.number)).toBe(true);
        expect(job!.outputLevel).toBe(LEVELS - 1);
      }),
      { numRuns: 500 },
    );
  });

  it('leveled: L0 goes first at its trigger, a file without overlap below moves without a rewrite', () => {
    const s = new LeveledStrategy(options);
    const l0 = [file(1, 5, 100, 20, 29), file(3, 9, 100, 10, 19)];
    const v = new Version([l0, [file(50, 60, 100, 1, 9)], [], [], []]);
    const job = s.pick(v, { compactPointers: [] })!;
    expect(job.reason).toBe('l0');
    expect(job.outputLevel).toBe(1);
    expect(jobFiles(job)).toHaveLength(2);
    const big = new Version([[], [file(1, 5, 20_000, 1, 9)], [], [], []]);
    const move = s.pick(big, { compactPointers: [] })!;
    expect(move).toMatchObject({ reason: 'size', outputLevel: 2, trivialMove: true });
    expect(s.pick(new Version([[l0[0]!], [], [], [], []]), { compactPointers: [] })).toBeUndefined();
  });

  it('tiered: merges similar runs, and everything when space amplification is too high', () => {
    const s = new TieredStrategy(options);
    const similar = new Version([[file(1, 5, 100, 30, 39), file(1, 5, 100, 20, 29)], [], [], [file(1, 9, 100_000, 1, 9)], []]);
    const job = s.pick(similar)!;
    expect(job.reason).toBe('size-ratio');
    expect(jobFiles(job)).toHaveLength(2);
    expect(job.outputLevel).toBe(2);
    const amplified = new Version([[file(1, 5, 300, 30, 39)], [], [], [file(1, 9, 100, 1, 9)], []]);
    expect(s.pick(amplified)).toMatchObject({ reason: 'space-amp', outputLevel: LEVELS - 1 });
  });
});
