/** Cells of the progress bar. */
const BAR_WIDTH = 30;
/** Least time between two redraws of the bar on a terminal. */
const TTY_REDRAW_MS = 100;
/** Time between two plain progress lines when stderr is not a terminal. */
export const PLAIN_EVERY_MS = 5000;

/**
 * Progress of the bench phases on stderr. On a terminal (`tty`): one line
 * redrawn in place (`\r`, at most every TTY_REDRAW_MS) with a bar, the count
 * and the rate, ended by a newline when the phase completes. Otherwise: a
 * plain line every PLAIN_EVERY_MS, and one when the phase completes. Driven
 * by the phase's onProgress calls (no timer of its own); `now` gives
 * milliseconds (injected: tests use a counter).
 */
export class BenchProgress {
  constructor(
    private readonly err: (text: string) => void,
    private readonly tty: boolean,
    private readonly now: () => number,
  ) {}

  /** The onProgress callback of a phase named `label`; starts its clock. */
  phase(label: string): (done: number, total: number) => void {
    const start = this.now();
    let last = start;
    return (done, total) => {
      const t = this.now();
      const complete = done >= total;
      if (!complete && t - last < (this.tty ? TTY_REDRAW_MS : PLAIN_EVERY_MS)) return;
      last = t;
      const line = progressLine(label, done, total, (t - start) / 1000);
      if (this.tty) this.err(`\r${progressBar(done, total)} ${line}\x1b[K${complete ? '\n' : ''}`);
      else this.err(`${line}\n`);
    };
  }
}

/** `label: done/total (pct%), rate ops/s`; the rate is left out before any time has passed. Pure. */
export function progressLine(label: string, done: number, total: number, seconds: number): string {
  const pct = total === 0 ? 100 : Math.floor((done / total) * 100);
  const rate = seconds > 0 ? `, ${Math.round(done / seconds)} ops/s` : '';
  return `${label}: ${done}/${total} (${pct}%)${rate}`;
}

/** `[#####.....]`, BAR_WIDTH cells filled in proportion to done/total. Pure. */
export function progressBar(done: number, total: number): string {
  const filled = total === 0 ? BAR_WIDTH : Math.min(BAR_WIDTH, Math.floor((done / total) * BAR_WIDTH));
  return `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
}
