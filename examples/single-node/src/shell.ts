import { ClockToken, isDynamisError, liveValues, ReplicaToken, StorageEngineToken, type DynamisNode } from '@dynamis/core';
import { formatText, LineReader, positiveInt, UsageError } from './shellSyntax';

const USAGE = {
  put: 'usage: put [--ttl <ms>] <key> <value>',
  putnx: 'usage: putnx [--ttl <ms>] <key> <value>',
  get: 'usage: get <key>',
  del: 'usage: del <key>',
  scan: 'usage: scan [--limit <n>] [prefix]',
  stats: 'usage: stats',
} as const;

/** Most entries `scan` lists unless --limit says otherwise. */
export const SCAN_LIMIT = 100;

export const HELP = `commands:
  put [--ttl <ms>] <key> <value>    store a value; it expires after --ttl milliseconds if given
  putnx [--ttl <ms>] <key> <value>  put only if the key has no live value (else CONFLICT)
  get <key>                         print the value(s)
  del <key>                         delete a key
  scan [--limit <n>] [prefix]       list live keys with their values, in key order (at most ${SCAN_LIMIT} unless --limit)
  stats                             storage engine statistics
  help                              this text
  quit                              stop the node and exit
a value is the rest of the line after the key, spaces included, or one "JSON-quoted" string
(for an empty value, leading spaces or escapes); keys with spaces are quoted the same way.
values are printed the same way: as typed, or quoted when empty, padded or multi-line.`;

/**
 * Runs one shell command line against `node` and returns what to print:
 * the result, a usage line for a malformed command, or `error CODE: message`
 * for a DynamisError. 'quit' asks the caller to stop. Never throws for user
 * input; the shell keeps running.
 */
export async function runCommand(node: DynamisNode, line: string): Promise<string | 'quit'> {
  const r = new LineReader(line);
  const cmd = r.token('');
  try {
    switch (cmd) {
      case undefined:
        return '';
      case 'put':
      case 'putnx':
        return await put(node, r, cmd);
      case 'get': {
        const result = await node.store.get(onlyKey(r, USAGE.get));
        if (!result.found) return '(not found)';
        return result.siblings.map((s) => formatText(Buffer.from(s.value).toString())).join('\n');
      }
      case 'del':
        await node.store.delete(onlyKey(r, USAGE.del));
        return 'ok';
      case 'scan':
        return await scan(node, r);
      case 'stats':
        if (!r.atEnd) throw new UsageError(USAGE.stats);
        return stats(node);
      case 'help':
        return HELP;
      case 'quit':
      case 'exit':
        return 'quit';
      default:
        return `unknown command '${cmd}' (try: help)`;
    }
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    if (isDynamisError(err)) return `error ${err.code}: ${err.message}`;
    throw err;
  }
}

async function put(node: DynamisNode, r: LineReader, cmd: 'put' | 'putnx'): Promise<string> {
  const usage = USAGE[cmd];
  let ttlMs: number | undefined;
  while (r.atOption) {
    if (!r.option('ttl')) throw new UsageError(usage);
    ttlMs = positiveInt(r.token(usage), `${usage}\n(--ttl takes a positive number of milliseconds)`);
  }
  const key = r.token(usage);
  const value = r.rest(usage);
  if (key === undefined || value === undefined) throw new UsageError(usage);
  await node.store.put(key, Buffer.from(value), { ttlMs, ifAbsent: cmd === 'putnx' || undefined });
  return 'ok';
}

/** The single key argument of get/del; UsageError when missing or followed by more. */
function onlyKey(r: LineReader, usage: string): string {
  const key = r.atOption ? undefined : r.token(usage);
  if (key === undefined || !r.atEnd) throw new UsageError(usage);
  return key;
}

/**
 * Live entries whose key starts with the prefix, in key order. The Store has
 * no scan yet, so this reads the node's Replica (its engine's data key
 * space): right for this single node, not a cluster-wide scan.
 */
async function scan(node: DynamisNode, r: LineReader): Promise<string> {
  let limit = SCAN_LIMIT;
  while (r.atOption) {
    if (!r.option('limit')) throw new UsageError(USAGE.scan);
    limit = positiveInt(r.token(USAGE.scan), USAGE.scan);
  }
  const prefix = r.token(USAGE.scan) ?? '';
  if (!r.atEnd) throw new UsageError(USAGE.scan);
  const start = Buffer.from(prefix);
  const now = node.resolve(ClockToken).now();
  const lines: string[] = [];
  for await (const [key, siblings] of node.resolve(ReplicaToken).scan()) {
    if (!key.startsWith(prefix)) {
      if (Buffer.compare(Buffer.from(key), start) > 0) break; // past every key with the prefix
      continue;
    }
    const values = liveValues(siblings, now);
    if (values.length === 0) continue;
    if (lines.length === limit) {
      lines.push(`(more keys: raise --limit, or scan a longer prefix)`);
      break;
    }
    lines.push(`${formatText(key, true)} ${values.map((v) => formatText(Buffer.from(v.value).toString())).join(' | ')}`);
  }
  return lines.length === 0 ? '(no keys)' : lines.join('\n');
}

function stats(node: DynamisNode): string {
  const s = node.resolve(StorageEngineToken).stats();
  const counters = Object.entries(s.counters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return [`engine ${s.engine}`, `approximateBytes ${s.approximateBytes}`, ...counters.map(([k, v]) => `${k} ${v}`)].join('\n');
}
