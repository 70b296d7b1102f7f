import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux). */
const TICKS_PER_SECOND = 100;

/**
 * CPU time (user + system) used so far by each process of `pids`, in µs,
 * summed; NaN where /proc is not readable (not Linux, or a process gone).
 * Resolution: 10 ms per process, fine over a case of seconds.
 */
export function processesCpuUs(pids: readonly number[]): number {
  return sumStat(pids, statCpuTicks);
}

/** The kernel's part (stime) of processesCpuUs: system calls (socket reads and writes) and what the kernel does for them. */
export function processesSysCpuUs(pids: readonly number[]): number {
  return sumStat(pids, statSysTicks);
}

/** `ticks` of each process' /proc/<pid>/stat, in µs, summed; NaN if one is unreadable. */
function sumStat(pids: readonly number[], ticks: (stat: string) => number): number {
  let total = 0;
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return NaN;
    }
    total += ticks(stat) * (1_000_000 / TICKS_PER_SECOND);
  }
  return total;
}

/**
 * Write-type system calls (write, writev, pwrite: socket writes and the
 * engine's file writes) made so far by each process of `pids`, summed, from
 * `syscw` of /proc/<pid>/io; NaN where it is not readable.
 */
export function processesWriteCalls(pids: readonly number[]): number {
  let total = 0;
  for (const pid of pids) {
    let io: string;
    try {
      io = readFileSync(`/proc/${pid}/io`, 'utf8');
    } catch {
      return NaN;
    }
    total += ioWriteCalls(io);
  }
  return total;
}

/** The `syscw` count of a /proc/<pid>/io text; NaN if absent. */
export function ioWriteCalls(io: string): number {
  const m = /^syscw:\s*(\d+)$/m.exec(io);
  return m === null ? NaN : Number(m[1]);
}

/** utime + stime (fields 14 and 15) of a /proc/<pid>/stat line; the command name (field 2) may hold spaces and parentheses. */
export function statCpuTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime is field 14 → index 11, stime field 15 → index 12
  return Number(fields[11]) + Number(fields[12]);
}

/** stime (field 15) of a /proc/<pid>/stat line. */
export function statSysTicks(stat: string): number {
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[12]);
}

/** This process' CPU time so far (user + system), in µs. */
export function ownCpuUs(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}
