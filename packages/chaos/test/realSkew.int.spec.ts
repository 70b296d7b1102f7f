import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { faketimeAvailable, faketimeEnv } from '../src/real';

const SKEW_MS = 3_600_000;
const skip = faketimeAvailable() ? null : 'libfaketime is not installed (apt-get install faketime)';
if (skip !== null) process.stdout.write(`real-process skew test skipped: ${skip}\n`);

/** Reads Date.now() and a 50 ms timer's measured length in a child node process run with `env`. */
function childClock(env: Record<string, string>): { now: number; timerMs: number } {
  const script =
    'const t = process.hrtime.bigint(); setTimeout(() => console.log(JSON.stringify({ now: Date.now(), timerMs: Number(process.hrtime.bigint() - t) / 1e6 })), 50);';
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { env: { ...process.env, ...env } }).toString()) as {
    now: number;
    timerMs: number;
  };
}

/**
 * The skew nemesis's clock: a node process started with faketimeEnv(+1 h)
 * reads a wall clock an hour ahead (the offset is compared with an hour,
 * give or take ten minutes: no timing assertion), while its timers still
 * fire (the monotonic clock is left alone).
 */
(skip === null ? describe : describe.skip)('skew nemesis: libfaketime with node', () => {
  it('moves the wall clock of a node process by the offset and leaves its timers working', () => {
    const before = Date.now();
    const skewed = childClock(faketimeEnv(SKEW_MS));
    const offset = skewed.now - before;
    expect(offset).toBeGreaterThan(SKEW_MS - 600_000);
    expect(offset).toBeLessThan(SKEW_MS + 600_000);
    expect(skewed.timerMs).toBeGreaterThanOrEqual(49);
    const plain = childClock(faketimeEnv(0));
    expect(Math.abs(plain.now - Date.now())).toBeLessThan(600_000);
  });
});
