import { describe, expect, it } from '@jest/globals';
import { processesCpuUs, processesSysCpuUs, statCpuTicks, statSysTicks } from './cpuMeter';

describe('statCpuTicks', () => {
  it('adds utime and stime, even when the command name holds spaces and parentheses', () => {
    const stat = '4242 (node (x) y) S 1 4242 4242 0 -1 4194560 9000 0 12 0 731 269 0 0 20 0 11 0 1000 1000000 5000';
    expect(statCpuTicks(stat)).toBe(731 + 269);
    expect(statSysTicks(stat)).toBe(269);
  });
});

describe('processesCpuUs', () => {
  it('reads this process from /proc (Linux) and gives NaN for a process that does not exist', () => {
    if (process.platform !== 'linux') return;
    expect(processesCpuUs([process.pid])).toBeGreaterThanOrEqual(0);
    expect(processesCpuUs([process.pid, 2 ** 22 + 1])).toBeNaN();
    expect(processesSysCpuUs([process.pid])).toBeLessThanOrEqual(processesCpuUs([process.pid]));
    expect(processesSysCpuUs([2 ** 22 + 1])).toBeNaN();
  });
});
