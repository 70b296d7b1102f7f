import { DynamisError } from '../errors/DynamisError';

/**
 * Top-level sections of the node config that only a plugin reads: `listen`
 * (a Transport), `seeds` (a Membership), `replication` (a distributed
 * Coordinator). A plugin that reads one declares it in its manifest
 * (`reads`). The kernel reads every other section itself (nodeId, dataDir,
 * limits, timeouts, log, tombstones), so those are always accepted.
 */
export const PLUGIN_CONFIG_SECTIONS = ['listen', 'seeds', 'replication'] as const;

export type PluginConfigSection = (typeof PLUGIN_CONFIG_SECTIONS)[number];

export function isPluginConfigSection(name: unknown): name is PluginConfigSection {
  return (PLUGIN_CONFIG_SECTIONS as readonly unknown[]).includes(name);
}

/**
 * Throws INVALID_CONFIG when `input` (the config as the user wrote it,
 * before defaults) sets a plugin-read section that none of `plugins` reads:
 * an option nothing reads would otherwise be accepted and silently ignored
 * (e.g. `replication` or `seeds` on a single-node coordinator). The message
 * names each such key and what would read it; `details.unread` lists them.
 * Sections left out (filled by defaults) are never refused. Pure.
 */
export function checkUnreadSections(input: unknown, plugins: readonly { name: string; reads?: readonly PluginConfigSection[] }[]): void {
  if (input === null || typeof input !== 'object') return;
  const read = new Set(plugins.flatMap((p) => p.reads ?? []));
  const unread = PLUGIN_CONFIG_SECTIONS.filter((s) => (input as Record<string, unknown>)[s] !== undefined && !read.has(s));
  if (unread.length === 0) return;
  const lines = unread.map((s) => `  - ${s}: set, but no plugin of this node reads it (${READERS[s]})`);
  const names = plugins.map((p) => p.name).join(', ') || 'none';
  throw new DynamisError(
    'INVALID_CONFIG',
    `Invalid node config: options that nothing reads:\n${lines.join('\n')}\nPlugins: ${names}. Remove them.`,
    {
      details: { unread, problems: unread.map((path) => ({ path, message: 'set, but no plugin of this node reads it' })) },
    },
  );
}

const READERS: Record<PluginConfigSection, string> = {
  listen: 'read by a Transport plugin, e.g. @dynamis/transport-ws',
  seeds: 'read by a Membership plugin, e.g. @dynamis/membership-static',
  replication: 'read by a replicating Coordinator; @dynamis/coordinator-local keeps one copy',
};
