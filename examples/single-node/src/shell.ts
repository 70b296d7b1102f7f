import { isDynamisError, type DynamisNode } from '@dynamis/core';

export const HELP = `commands:
  put <key> <value> [ttlMs]   store a value (optional time to live)
  get <key>                   read a value
  del <key>                   delete a key
  putnx <key> <value>         put only if absent
  help                        this text
  quit                        stop the node and exit`;

/**
 * Runs one shell command line against `node` and returns what to print.
 * Errors become `error CODE: message` lines; the shell keeps running.
 */
export async function runCommand(node: DynamisNode, line: string): Promise<string | 'quit'> {
  const [cmd, key, ...rest] = line.trim().split(/\s+/);
  try {
    switch (cmd) {
      case undefined:
      case '':
        return '';
      case 'put':
      case 'putnx': {
        const ttl = cmd === 'put' && rest.length > 1 && /^\d+$/.test(rest[rest.length - 1]!) ? Number(rest.pop()) : undefined;
        await node.store.put(key ?? '', Buffer.from(rest.join(' ')), { ttlMs: ttl, ifAbsent: cmd === 'putnx' || undefined });
        return 'ok';
      }
      case 'get': {
        const result = await node.store.get(key ?? '');
        if (!result.found) return '(not found)';
        return result.siblings.map((s) => Buffer.from(s.value).toString()).join('\n');
      }
      case 'del':
        await node.store.delete(key ?? '');
        return 'ok';
      case 'help':
        return HELP;
      case 'quit':
      case 'exit':
        return 'quit';
      default:
        return `unknown command '${cmd}' (try: help)`;
    }
  } catch (err) {
    if (isDynamisError(err)) return `error ${err.code}: ${err.message}`;
    throw err;
  }
}
