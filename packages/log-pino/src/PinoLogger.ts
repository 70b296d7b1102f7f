import type { Logger } from '@dynamis/core';
import type { Logger as Pino } from 'pino';

/**
 * The Logger port over a pino logger. Each call writes at most one line
 * (pino's level filter decides); `fields` are merged into the line, `msg`
 * last. Never throws for JSON-safe fields (the port's contract); what pino
 * does with its destination's errors is pino's (it emits them on the stream).
 */
export class PinoLogger implements Logger {
  constructor(private readonly pino: Pino) {}

  debug(msg: string, fields?: Record<string, unknown>): void {
    if (fields === undefined) this.pino.debug(msg);
    else this.pino.debug(fields, msg);
  }

  info(msg: string, fields?: Record<string, unknown>): void {
    if (fields === undefined) this.pino.info(msg);
    else this.pino.info(fields, msg);
  }

  warn(msg: string, fields?: Record<string, unknown>): void {
    if (fields === undefined) this.pino.warn(msg);
    else this.pino.warn(fields, msg);
  }

  error(msg: string, fields?: Record<string, unknown>): void {
    if (fields === undefined) this.pino.error(msg);
    else this.pino.error(fields, msg);
  }

  /**
   * A logger adding `fields` to every line (pino's child: the bindings are
   * serialized once). A field this logger already carries with the same value
   * (a plugin's child naming the node the root logger names) is left out:
   * pino would write the key twice in one JSON line.
   */
  child(fields: Record<string, unknown>): Logger {
    const bound = this.pino.bindings();
    let own: Record<string, unknown> | undefined;
    for (const [k, v] of Object.entries(fields)) {
      if (Object.hasOwn(bound, k) && Object.is(bound[k], v)) {
        own ??= { ...fields };
        delete own[k];
      }
    }
    return new PinoLogger(this.pino.child(own ?? fields));
  }
}
