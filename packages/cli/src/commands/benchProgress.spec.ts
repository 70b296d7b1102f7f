import { describe, expect, it } from '@jest/globals';
import { BenchProgress, PLAIN_EVERY_MS, progressBar, progressLine } from './benchProgress';

/** A BenchProgress on a manual clock, recording what it writes. */
function setup(tty: boolean): { written: string[]; clock: { t: number }; progress: BenchProgress } {
  const written: string[] = [];
  const clock = { t: 1000 };
  return {
    written,
    clock,
    progress: new BenchProgress(
      (s) => written.push(s),
      tty,
      () => clock.t,
    ),
  };
}

describe('bench progress', () => {
  it('formats a line and a bar', () => {
    expect(progressLine('run', 250, 1000, 2)).toBe('run: 250/1000 (25%), 125 ops/s');
    expect(progressLine('load', 0, 10, 0)).toBe('load: 0/10 (0%)');
    expect(progressBar(0, 10)).toBe(`[${'.'.repeat(30)}]`);
    expect(progressBar(5, 10)).toBe(`[${'#'.repeat(15)}${'.'.repeat(15)}]`);
    expect(progressBar(10, 10)).toBe(`[${'#'.repeat(30)}]`);
  });

  it('without a terminal: a plain line every PLAIN_EVERY_MS and one at the end', () => {
    const { written, clock, progress } = setup(false);
    const report = progress.phase('load');
    report(1, 100);
    clock.t += PLAIN_EVERY_MS - 1;
    report(2, 100);
    expect(written).toEqual([]);
    clock.t += 1;
    report(3, 100);
    clock.t += 1;
    report(4, 100);
    report(100, 100);
    expect(written).toEqual([`load: 3/100 (3%), ${Math.round(3 / (PLAIN_EVERY_MS / 1000))} ops/s\n`, 'load: 100/100 (100%), 20 ops/s\n']);
  });

  it('on a terminal: the bar redrawn in place at most every 100 ms, ended by a newline', () => {
    const { written, clock, progress } = setup(true);
    const report = progress.phase('run');
    clock.t += 100;
    report(5, 10);
    clock.t += 50;
    report(6, 10);
    clock.t += 50;
    report(10, 10);
    expect(written).toEqual([
      `\r${progressBar(5, 10)} run: 5/10 (50%), 50 ops/s\x1b[K`,
      `\r${progressBar(10, 10)} run: 10/10 (100%), 50 ops/s\x1b[K\n`,
    ]);
  });
});
