// Regression (issue 8, section 3): a writer awaiting engine.put() in a loop
// under fsync 'none' exited with code 0 mid-loop. A write held back by the
// slowdown waits on the Clock's 1 ms sleep, an unref'd timer with
// SystemClock; with no flush or compaction running at that moment (here:
// l0SlowdownTrigger below l0CompactionTrigger), nothing kept the event loop
// alive, and the process ended with the write still pending. A pending
// write must keep the process alive until it settles.
import { describe, expect, it } from '@jest/globals';
import { withDir } from './bgHelpers';
import { runChild } from './runChild';

const PUTS = 3000;

/** Runs stalledWriter.ts to the end of its loop; returns its counters. */
async function runWriter(slowdownTrigger: number): Promise<{ stalls: number; slowdowns: number; workerCompactions: number }> {
  let counters = { stalls: 0, slowdowns: 0, workerCompactions: 0 };
  await withDir(async (dir) => {
    const { code, out, err } = await runChild('stalledWriter.ts', [dir, String(PUTS), String(slowdownTrigger)], 120_000);
    expect({ code, out, err }).toEqual({ code: 0, out: expect.stringMatching(/^done \d+ \d+ \d+ \d+\n$/), err: '' });
    const [, puts, stalls, slowdowns, workerCompactions] = out.trim().split(' ').map(Number);
    expect(puts).toBe(PUTS);
    counters = { stalls: stalls!, slowdowns: slowdowns!, workerCompactions: workerCompactions! };
  });
  return counters;
}

describe('engine-lsm: a pending write keeps the process alive', () => {
  it('writes slowed down while no background job runs (l0SlowdownTrigger 1 < l0CompactionTrigger 2)', async () => {
    const c = await runWriter(1);
    expect(c.slowdowns).toBeGreaterThan(0);
    expect(c.workerCompactions).toBeGreaterThan(0);
  }, 150_000);

  it('writes stalled at l0StopTrigger while compactions run on the worker thread', async () => {
    const c = await runWriter(3);
    expect(c.stalls).toBeGreaterThan(0);
    expect(c.slowdowns).toBe(0);
    expect(c.workerCompactions).toBeGreaterThan(0);
  }, 150_000);
});
