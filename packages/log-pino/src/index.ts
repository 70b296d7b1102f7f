// @dynamis/log-pino: the Logger port backed by pino — JSON lines, or
// human-readable (pino-pretty) when stderr is a terminal. See README.md.
export { pinoLogger, pinoLoggerOptionsSchema, type PinoLoggerOptionsInput } from './plugin';
export { PinoLogger } from './PinoLogger';
export { createPino, resolveFormat, type CreatePinoOptions, type LogFormat, type LogLevel } from './createPino';
