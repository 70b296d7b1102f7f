import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** A process found by processesIn: its pid and command line (arguments joined by spaces). */
export interface FoundProcess {
  readonly pid: number;
  readonly cmdline: string;
}

/**
 * Every process of this machine (Linux /proc) whose command line mentions
 * `dir` or whose working directory is `dir` or under it, except this process.
 * Processes that end while being read, or that we may not inspect, are skipped.
 */
export function processesIn(dir: string): FoundProcess[] {
  const out: FoundProcess[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
      let cwd = '';
      try {
        cwd = readlinkSync(`/proc/${name}/cwd`);
      } catch {
        // another user's process: the command line is all we can see
      }
      if (cmdline.includes(dir) || cwd === dir || cwd.startsWith(`${dir}/`)) out.push({ pid: Number(name), cmdline });
    } catch {
      // the process ended while we read it
    }
  }
  return out;
}
