import { describe, expect, it } from '@jest/globals';
import { ProcessKeepAlive } from './KeepAlive';

const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('ProcessKeepAlive', () => {
  it("holds one ref'd process handle from the first hold to the last release, and none when idle", () => {
    const before = timeouts();
    const k = new ProcessKeepAlive();
    k.hold();
    k.hold();
    expect(k.held).toBe(2);
    expect(timeouts()).toBe(before + 1);
    k.release();
    expect(timeouts()).toBe(before + 1);
    k.release();
    expect(k.held).toBe(0);
    expect(timeouts()).toBe(before);
    k.release(); // unmatched: ignored, never negative
    expect(k.held).toBe(0);
    k.hold();
    expect(timeouts()).toBe(before + 1);
    k.release();
    expect(timeouts()).toBe(before);
    k.close();
    k.hold();
    expect(timeouts()).toBe(before + 1);
    k.close();
    expect(timeouts()).toBe(before);
  });
});
