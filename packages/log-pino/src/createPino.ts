import pino, { type DestinationStream, type Logger as Pino } from 'pino';
import type PinoPretty from 'pino-pretty';

/** pino-pretty, loaded only for the pretty format (a terminal): a node logging JSON lines never pays its load. */
function pinoPretty(options: PinoPretty.PrettyOptions): ReturnType<typeof PinoPretty> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- deferred load, see above
  const load = require('pino-pretty') as typeof PinoPretty | { default: typeof PinoPretty };
  return (typeof load === 'function' ? load : load.default)(options);
}

/** How lines look: `json` (one JSON object per line), `pretty` (pino-pretty), `auto` (pretty when stderr is a terminal). */
export type LogFormat = 'auto' | 'json' | 'pretty';

/** The levels of core's `log.level`. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

export interface CreatePinoOptions {
  readonly level: LogLevel;
  readonly format: LogFormat;
  /** Put on every line as `node`. */
  readonly node: string;
  /** Where lines go. Default: stderr (fd 2), written synchronously so no line is lost to process.exit. */
  readonly destination?: DestinationStream;
  /** Whether stderr is a terminal (for `auto`). Default: process.stderr.isTTY. */
  readonly isTTY?: boolean;
}

/** `auto` resolved: pretty on a terminal, JSON lines otherwise. Pure. */
export function resolveFormat(format: LogFormat, isTTY: boolean): 'json' | 'pretty' {
  return format === 'auto' ? (isTTY ? 'pretty' : 'json') : format;
}

/**
 * A pino logger writing `{"level":"info","time":<ms>,"node":"n1",...fields,"msg":"..."}`
 * per line (the shape of core's ConsoleLogger: level as its name, time in
 * epoch ms), or the same entries through pino-pretty (colors only on a
 * terminal). Lines are written synchronously; nothing runs in a worker thread.
 */
export function createPino(options: CreatePinoOptions): Pino {
  const tty = options.isTTY ?? process.stderr.isTTY === true;
  const format = resolveFormat(options.format, tty);
  const destination =
    format === 'pretty'
      ? pinoPretty({
          destination: options.destination ?? 2,
          sync: true,
          colorize: options.destination === undefined && tty,
          ignore: 'pid,hostname',
          translateTime: 'SYS:HH:MM:ss.l',
        })
      : (options.destination ?? pino.destination({ dest: 2, sync: true }));
  return pino(
    {
      level: options.level,
      base: { node: options.node },
      timestamp: pino.stdTimeFunctions.epochTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}
