// Regression (issue 8, section 3): a writer awaiting engine.put() in a loop
// under fsync 'none' exited with code 0 mid-loop. A write held back by the
// slowdown waits on the Clock's 1 ms sleep, an unref'd timer with
// SystemClock; when no flush or compaction is running at that moment (with
// the default triggers: the compaction that was running ends during the
// sleep, and the worker thread is unref'd between jobs; or with
// l0SlowdownTrigger below l0CompactionTrigger, none ever runs), nothing
// kept the event loop alive, and the process ended with the write still
// pending. A pending write must keep the process alive until it settles.
import { describe, expect, it } from '@jest/globals';
import { withDir } from './bgHelpers';
import { runChild } from './runChild';

/** Runs stalledWriter.ts (`puts` writes; triggers: see there) to the end of its loop; returns its counters. */
async function runWriter(
  puts: number,
  triggers: number | 'default',
): Promise<{ stalls: number; slowdowns: number; workerCompactions: number }> {
  let counters = { stalls: 0, slowdowns: 0, workerCompactions: 0 };
  await withDir(async (dir) => {
    const { code, out, err } = await runChild('stalledWriter.ts', [dir, String(puts), String(triggers)], 120_000);
    expect({ code, out, err }).toEqual({ code: 0, out: expect.stringMatching(/^done \d+ \d+ \d+ \d+\n$/), err: '' });
    const [, done, stalls, slowdowns, workerCompactions] = out.trim().split(' ').map(Number);
    expect(done).toBe(puts);
    counters = { stalls: stalls!, slowdowns: slowdowns!, workerCompactions: workerCompactions! };
  });
  return counters;
}

describe('engine-lsm: a pending write keeps the process alive', () => {
  it('default triggers: writes slowed down while the compaction they wait for ends', async () => {
    const c = await runWriter(10_000, 'default');
    expect(c.slowdowns).toBeGreaterThan(0);
    expect(c.workerCompactions).toBeGreaterThan(0);
  }, 150_000);

  it('writes slowed down while no background job runs (l0SlowdownTrigger 1 < l0CompactionTrigger 2)', async () => {
    const c = await runWriter(3000, 1);
    expect(c.slowdowns).toBeGreaterThan(0);
    expect(c.workerCompactions).toBeGreaterThan(0);
  }, 150_000);

  it('writes stalled at l0StopTrigger while compactions run on the worker thread', async () => {
    const c = await runWriter(3000, 3);
    expect(c.stalls).toBeGreaterThan(0);
    expect(c.slowdowns).toBe(0);
    expect(c.workerCompactions).toBeGreaterThan(0);
  }, 150_000);
});
