import type { Configuration } from './experimentSpec';

/** What each node of a configuration's cluster is started with (besides id, ports, peers and replication). */
export interface ConfigNodeSettings {
  /** `dynamis start` flags shared by every node. */
  readonly flags: string[];
  /** The node config file (ClusterSupervisor's NodeSettings.config): only the keys the configuration sets. */
  readonly config: Record<string, unknown>;
}

/**
 * Pure: maps a validated configuration onto node flags and config keys, the
 * server's own names (@dynamis/server: --engine, --resolver, engineOptions,
 * ring). Every field of Configuration but `name` and `writes` (the
 * clients') is mapped here: a field added to the schema without a mapping
 * is a bug (experimentSpec.spec checks each one).
 * The node validates what it gets and refuses what it does not read.
 */
export function nodeSettingsFor(c: Configuration, logLevel: string): ConfigNodeSettings {
  const engineOptions: Record<string, unknown> = {};
  if (c.compaction !== undefined) engineOptions.compaction = { strategy: c.compaction };
  if (c.fsync !== undefined) engineOptions.fsync = c.fsync;
  if (c.memtableBytes !== undefined) engineOptions.memtableBytes = c.memtableBytes;
  const config: Record<string, unknown> = {};
  if (Object.keys(engineOptions).length > 0) config.engineOptions = engineOptions;
  if (c.partitions !== undefined) config.ring = { partitions: c.partitions };
  return { flags: ['--engine', c.engine, '--resolver', c.resolver, '--log-level', logLevel], config };
}
