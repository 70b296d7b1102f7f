import { DynamisError, type Logger, type LogLevel } from '@dynamis/core';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
type Level = Exclude<LogLevel, 'silent'>;

/** Lines a SimLog keeps by default (the oldest are dropped beyond it). */
export const DEFAULT_SIM_LOG_LINES = 10_000;

export interface SimLogOptions {
  /** Lowest level collected (default 'info'; 'silent' collects nothing). */
  readonly level?: LogLevel;
  /** Also write each collected line to stderr (default false: quiet). */
  readonly print?: boolean;
  /** Bound on lines kept (default DEFAULT_SIM_LOG_LINES); older lines are dropped and counted. */
  readonly maxLines?: number;
}

/**
 * One simulated node's log: a Logger whose lines carry `node: <id>`, kept in
 * memory for the test to read (`lines()`), bounded, quiet unless `print`.
 * It outlives the node's incarnations: lines before and after a crash are in
 * the same log, in order. Each line is JSON in the ConsoleLogger's shape
 * except that `time` is virtual time (ms), so a replay logs the same lines.
 */
export class SimLog {
  private readonly kept: string[] = [];
  private droppedLines = 0;
  private readonly maxLines: number;
  readonly logger: Logger;

  /** Throws INVALID_ARGUMENT for a maxLines that is not a positive integer; `now` gives virtual time. */
  constructor(
    readonly node: string,
    now: () => number,
    options: SimLogOptions = {},
  ) {
    this.maxLines = options.maxLines ?? DEFAULT_SIM_LOG_LINES;
    if (!Number.isSafeInteger(this.maxLines) || this.maxLines < 1) {
      throw new DynamisError('INVALID_ARGUMENT', `log maxLines must be a positive integer, got ${this.maxLines}`);
    }
    const print = options.print ?? false;
    const threshold = LEVELS[options.level ?? 'info'];
    const write = (level: Level, bindings: Record<string, unknown>, msg: string, fields?: Record<string, unknown>): void => {
      if (LEVELS[level] < threshold) return;
      const line = JSON.stringify({ level, time: now(), msg, ...bindings, ...fields });
      this.kept.push(line);
      if (this.kept.length > this.maxLines) {
        this.kept.shift();
        this.droppedLines++;
      }
      if (print) process.stderr.write(line + '\n');
    };
    const make = (bindings: Record<string, unknown>): Logger => ({
      debug: (msg, fields) => write('debug', bindings, msg, fields),
      info: (msg, fields) => write('info', bindings, msg, fields),
      warn: (msg, fields) => write('warn', bindings, msg, fields),
      error: (msg, fields) => write('error', bindings, msg, fields),
      child: (fields) => make({ ...bindings, ...fields }),
    });
    this.logger = make({ node });
  }

  /** The kept lines (JSON, one entry each), oldest first. */
  lines(): readonly string[] {
    return [...this.kept];
  }

  /** How many lines were dropped by the bound. */
  get dropped(): number {
    return this.droppedLines;
  }
}
