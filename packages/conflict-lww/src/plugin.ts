import { ConflictResolverToken, definePlugin, parseWithSchema, type Plugin } from '@dynamis/core';
import { z } from 'zod';
import { LwwResolver } from './LwwResolver';

export const lwwOptionsSchema = z
  .object({
    maxSkewMs: z.number().int().positive().default(60_000).describe('Reject versions further ahead of the local clock than this (ms).'),
  })
  .strict();

export type LwwPluginOptions = z.input<typeof lwwOptionsSchema>;

/** The last-write-wins ConflictResolver plugin. Throws INVALID_CONFIG on bad options. */
export function lwwResolver(options: LwwPluginOptions = {}): Plugin {
  const parsed = parseWithSchema(lwwOptionsSchema, options, 'options of @dynamis/conflict-lww');
  return definePlugin({
    name: '@dynamis/conflict-lww',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['ConflictResolver'],
    needs: [],
    register: ({ bind }) => {
      bind(ConflictResolverToken)
        .toDynamicValue(() => new LwwResolver(parsed))
        .inSingletonScope();
    },
  });
}
