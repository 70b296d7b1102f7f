import type { ServiceIdentifier } from 'inversify';

/** Structured logger (pino-compatible shape). `fields` must be JSON-safe. */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` to every line. */
  child(fields: Record<string, unknown>): Logger;
}

export const LoggerToken: ServiceIdentifier<Logger> = Symbol.for('dynamis.Logger');
