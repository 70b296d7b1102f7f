import { ConfigToken, definePlugin, LoggerToken, parseWithSchema, type Plugin } from '@dynamis/core';
import type { DestinationStream } from 'pino';
import { z } from 'zod';
import { createPino } from './createPino';
import { PinoLogger } from './PinoLogger';

/** Options of `pinoLogger` (the level is the node config's `log.level`, read from the node). */
export const pinoLoggerOptionsSchema = z.strictObject({
  format: z
    .enum(['auto', 'json', 'pretty'])
    .default('auto')
    .describe("'json': one JSON object per line; 'pretty': human-readable (pino-pretty); 'auto': pretty when stderr is a terminal."),
});

export type PinoLoggerOptionsInput = z.input<typeof pinoLoggerOptionsSchema>;

/**
 * The Logger plugin backed by pino: provides the Logger port (replacing
 * core's default console logger), at the node config's `log.level`, every
 * line carrying the node id as `node`. `destination` (default stderr) is for
 * tests and embedders. Throws INVALID_CONFIG naming the key on bad options.
 */
export function pinoLogger(options: PinoLoggerOptionsInput = {}, destination?: DestinationStream): Plugin {
  const { format } = parseWithSchema(pinoLoggerOptionsSchema, options, 'options of @dynamis/log-pino');
  return definePlugin({
    name: '@dynamis/log-pino',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['Logger'],
    needs: ['Config'],
    register: ({ bind }) => {
      bind(LoggerToken)
        .toDynamicValue((ctx) => {
          const config = ctx.get(ConfigToken);
          return new PinoLogger(
            createPino({ level: config.log.level, format, node: config.nodeId, ...(destination ? { destination } : {}) }),
          );
        })
        .inSingletonScope();
    },
  });
}
