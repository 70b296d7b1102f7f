import { DynamisError } from '@dynamis/core';

/** Options of LevelStorageEngine and of the levelEngine() plugin. Every field optional. */
export interface LevelEngineOptions {
  /** The LevelDB directory (created if missing). Plugin default: `${config.dataDir}/leveldb`. */
  readonly dir?: string;
  /** LevelDB's block cache, bytes (LevelDB default 8 MiB). An integer >= 0. */
  readonly cacheSize?: number;
  /** LevelDB's memtable size before a flush to a table file, bytes (LevelDB default 4 MiB). An integer >= 64 KiB. */
  readonly writeBufferSize?: number;
  /** Snappy-compress table blocks (LevelDB default true). */
  readonly compression?: boolean;
}

const KNOWN = ['dir', 'cacheSize', 'writeBufferSize', 'compression'];

/**
 * Checks `options`: an unknown key (an option nothing would read) or a bad
 * value throws INVALID_CONFIG naming every offending key.
 */
export function checkLevelEngineOptions(options: LevelEngineOptions): LevelEngineOptions {
  const problems: { path: string; message: string }[] = [];
  if (typeof options !== 'object' || options === null) {
    problems.push({ path: '', message: 'options must be an object' });
  } else {
    const o = options as Record<string, unknown>;
    for (const key of Object.keys(o))
      if (!KNOWN.includes(key)) problems.push({ path: key, message: `unknown option (known: ${KNOWN.join(', ')})` });
    if (o['dir'] !== undefined && (typeof o['dir'] !== 'string' || o['dir'] === ''))
      problems.push({ path: 'dir', message: 'must be a non-empty string' });
    if (o['cacheSize'] !== undefined && !isInt(o['cacheSize'], 0)) problems.push({ path: 'cacheSize', message: 'must be an integer >= 0' });
    if (o['writeBufferSize'] !== undefined && !isInt(o['writeBufferSize'], 64 * 1024)) {
      problems.push({ path: 'writeBufferSize', message: 'must be an integer >= 65536' });
    }
    if (o['compression'] !== undefined && typeof o['compression'] !== 'boolean')
      problems.push({ path: 'compression', message: 'must be a boolean' });
  }
  if (problems.length > 0) {
    throw new DynamisError(
      'INVALID_CONFIG',
      `Invalid leveldb engine options:\n${problems.map((p) => `  - ${p.path}: ${p.message}`).join('\n')}`,
      {
        details: { problems },
      },
    );
  }
  return options;
}

function isInt(value: unknown, min: number): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= min;
}
