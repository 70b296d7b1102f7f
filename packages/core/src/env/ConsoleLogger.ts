import type { Logger } from '../ports/Logger';

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

/**
 * The default Logger: one JSON line per entry on stderr (pino's shape:
 * level, time, msg, fields). Swap in pino through the Logger port for more.
 */
export class ConsoleLogger implements Logger {
  constructor(
    private readonly level: LogLevel = 'info',
    private readonly bindings: Record<string, unknown> = {},
    private readonly write: (line: string) => void = (line) => process.stderr.write(line + '\n'),
  ) {}

  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }

  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }

  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }

  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }

  child(fields: Record<string, unknown>): Logger {
    return new ConsoleLogger(this.level, { ...this.bindings, ...fields }, this.write);
  }

  private log(level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>): void {
    if (LEVELS[level] < LEVELS[this.level]) return;
    // Wall time of a log line is not part of any protocol, so it may read Date.now directly.
    this.write(JSON.stringify({ level, time: Date.now(), msg, ...this.bindings, ...fields }));
  }
}
