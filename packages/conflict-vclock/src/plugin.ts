import { ConflictResolverToken, definePlugin, parseWithSchema, type Plugin } from '@dynamis/core';
import { z } from 'zod';
import { VclockResolver } from './VclockResolver';

export const vclockOptionsSchema = z
  .object({
    maxSiblings: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .default(32)
      .describe('A write that would leave more siblings than this at its coordinator is refused with CONFLICT.'),
    maxContextEntries: z
      .number()
      .int()
      .min(1)
      .max(1024)
      .default(64)
      .describe('Most node entries in a context or version; larger ones are INVALID_ARGUMENT. At least the number of nodes.'),
  })
  .strict();

export type VclockPluginOptions = z.input<typeof vclockOptionsSchema>;

/** The dotted-version-vector ConflictResolver plugin. Throws INVALID_CONFIG on bad options. */
export function vclockResolver(options: VclockPluginOptions = {}): Plugin {
  const parsed = parseWithSchema(vclockOptionsSchema, options, 'options of @dynamis/conflict-vclock');
  return definePlugin({
    name: '@dynamis/conflict-vclock',
    version: '0.1.0',
    core: '^0.1.0',
    provides: ['ConflictResolver'],
    needs: [],
    register: ({ bind }) => {
      bind(ConflictResolverToken)
        .toDynamicValue(() => new VclockResolver(parsed))
        .inSingletonScope();
    },
  });
}
