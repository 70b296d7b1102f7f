import { describe, expect, it } from '@jest/globals';
import { writeSync } from 'node:fs';
import { ioWriteCalls, processesCpuUs, processesSysCpuUs, processesWriteCalls, statCpuTicks, statSysTicks } from './cpuMeter';

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

describe('processesWriteCalls', () => {
  it("reads syscw of /proc/<pid>/io, counts this process' writes, and gives NaN when unreadable", () => {
    const io = 'rchar: 6976\nwchar: 0\nsyscr: 10\nsyscw: 37\nread_bytes: 0\n';
    expect(ioWriteCalls(io)).toBe(37);
    expect(ioWriteCalls('rchar: 1\n')).toBeNaN();
    if (process.platform !== 'linux') return;
    const before = processesWriteCalls([process.pid]);
    for (let i = 0; i < 5; i++) writeSync(1, '');
    expect(processesWriteCalls([process.pid]) - before).toBeGreaterThanOrEqual(5);
    expect(processesWriteCalls([process.pid, 2 ** 22 + 1])).toBeNaN();
  });
});
