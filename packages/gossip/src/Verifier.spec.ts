import { describe, expect, it } from '@jest/globals';
import { Scheduler, VirtualClock } from '@dynamis/testkit';
import { Verifier } from './Verifier';

/** A Verifier whose probes resolve when the test says (answer(id, ok)), recording every call. */
function setup(concurrency = 2) {
  const scheduler = new Scheduler();
  const clock = new VirtualClock(scheduler);
  const waiting = new Map<string, (ok: boolean) => void>();
  const calls: string[] = [];
  const expired: string[] = [];
  const confirmed: string[] = [];
  let confirmDone: (() => void) | undefined;
  const v = new Verifier(
    clock,
    { timeoutMs: 5000, retryMs: 1000, concurrency },
    {
      verify: (id) => {
        calls.push(`${id}@${scheduler.now()}`);
        return new Promise((resolve) => waiting.set(id, resolve));
      },
      expire: (id) => void expired.push(`${id}@${scheduler.now()}`),
      confirm: (id) => {
        confirmed.push(id);
        return new Promise((resolve) => (confirmDone = resolve));
      },
    },
  );
  const answer = async (id: string, ok: boolean): Promise<void> => {
    const r = waiting.get(id)!;
    waiting.delete(id);
    r(ok);
    await Promise.resolve();
    await Promise.resolve();
  };
  const runFor = async (ms: number): Promise<void> => {
    await scheduler.runFor(ms);
  };
  return { v, calls, expired, confirmed, answer, runFor, inFlight: () => waiting.size, finishConfirm: () => confirmDone?.() };
}

describe('Verifier', () => {
  it('probes a tracked member at once, at most `concurrency` at a time, in arrival order; tracking twice changes nothing', async () => {
    const { v, calls, answer, inFlight } = setup(2);
    for (const id of ['a', 'b', 'c', 'a']) v.track(id);
    expect(calls).toEqual(['a@0', 'b@0']);
    expect(inFlight()).toBe(2);
    await answer('a', true);
    expect(calls).toEqual(['a@0', 'b@0', 'c@0']);
    expect(v.pending).toBe(2); // a settled by its answer
  });

  it('retries every retryMs until an answer; expires (once) timeoutMs after it was tracked', async () => {
    const { v, calls, expired, answer, runFor } = setup(1);
    v.track('ghost');
    await answer('ghost', false);
    await runFor(1000);
    expect(calls).toEqual(['ghost@0', 'ghost@1000']);
    await answer('ghost', false);
    await runFor(3999);
    expect(expired).toEqual([]);
    await answer('ghost', false);
    await runFor(1);
    expect(expired).toEqual(['ghost@5000']);
    expect(v.pending).toBe(0);
    await runFor(10_000);
    expect(calls.length).toBeLessThanOrEqual(6);
    expect(expired).toHaveLength(1);
  });

  it('settle stops probes and expiry; re-tracking restarts the clock', async () => {
    const { v, expired, answer, runFor } = setup(1);
    v.track('x');
    v.settle('x');
    await answer('x', false);
    await runFor(10_000);
    expect(expired).toEqual([]);
    v.track('x');
    await runFor(5000);
    expect(expired).toEqual(['x@15000']);
  });

  it('one confirmation per member at a time, sharing the concurrency bound; stop() forgets everything', async () => {
    const { v, calls, confirmed, finishConfirm, runFor, expired } = setup(1);
    v.departure('n2');
    v.departure('n2');
    v.track('a'); // waits for the slot
    expect(confirmed).toEqual(['n2']);
    expect(calls).toEqual([]);
    finishConfirm();
    await Promise.resolve();
    await Promise.resolve();
    expect(calls).toEqual(['a@0']);
    v.departure('n2');
    expect(confirmed).toEqual(['n2']); // the slot is a's
    v.stop();
    await runFor(10_000);
    expect(expired).toEqual([]);
    expect(v.pending).toBe(0);
  });
});
