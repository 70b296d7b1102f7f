import { describe, expect, it } from '@jest/globals';
import { drive } from './drive';

describe('drive', () => {
  it('ends its case even when every operation settles in microtasks (no I/O, no timer)', async () => {
    // Without the loops' periodic turn of the event loop, the timer ending the window never fires and this never settles
    // (nor does Jest's timeout, a timer too: a regression hangs this suite, as it hung the bench).
    let calls = 0;
    const r = await drive(
      () => {
        calls++;
        return Promise.resolve();
      },
      { inflight: 8, warmupSeconds: 0, seconds: 0.05 },
    );
    expect(r.ops).toBeGreaterThan(0);
    expect(r.ops).toBeLessThanOrEqual(calls);
    expect(r.errors).toBe(0);
    expect(r.opsPerSec).toBeGreaterThan(0);
  });
});
