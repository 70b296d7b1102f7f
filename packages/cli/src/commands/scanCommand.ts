import type { ScanItem } from '@dynamis/core';
import type { Command } from 'commander';
import { EXIT } from '../exitCodes';
import { contextToken, parseCount } from '../format';
import type { Io } from '../io';
import { connectionOptions, withConnectionOptions } from './connectionOptions';
import { withClient } from './dataCommands';

type Run = (work: () => Promise<number>) => Promise<void>;

/** Keys asked per request (the node's page size; SCAN_MAX_LIMIT is 1000). */
const PAGE = 100;

/**
 * `dynamis scan`: lists live keys through @dynamis/client's scan, page by
 * page, until `--limit` keys were printed or the cluster was walked (no
 * limit: every key). Output contract (README "Output"): one line per live
 * value on stdout, `KEY<TAB>VALUE` (UTF-8; a key with siblings has one line
 * per sibling), or with --json one object per key
 * `{"key","values","siblings","context"}`; when keys remain after `--limit`,
 * `cursor: <token>` on stderr (pass it to --cursor to go on). Keys come in
 * (partition, key) order, not sorted; a scan is not a snapshot. Exit 0, also
 * when nothing matched; 2 bad flags; 3 cluster errors.
 */
export function addScanCommand(program: Command, io: Io, run: Run): void {
  withConnectionOptions(
    program
      .command('scan')
      .description('list live keys and their values, in (partition, key) order (exit 0 also when empty, 2 usage, 3 error)')
      .option('--prefix <prefix>', 'only keys starting with this prefix')
      .option('--limit <n>', 'print at most n keys, then the cursor to go on on stderr (default: every key)')
      .option('--cursor <token>', 'resume where an earlier scan stopped (the cursor it printed)')
      .option('--json', 'print one {"key","values","siblings","context"} JSON object per line'),
  ).action((opts: Record<string, unknown>) =>
    run(async () => {
      const limit = opts.limit === undefined ? Infinity : parseCount('--limit', String(opts.limit), 1);
      const prefix = opts.prefix === undefined ? {} : { prefix: String(opts.prefix) };
      let cursor = opts.cursor === undefined ? undefined : String(opts.cursor);
      let printed = 0;
      await withClient(connectionOptions(opts), io, async (client) => {
        while (printed < limit) {
          const page = await client.scan({ ...prefix, cursor, limit: Math.min(PAGE, limit - printed) });
          for (const item of page.items) io.out(opts.json === true ? jsonLine(item) : textLines(item));
          printed += page.items.length;
          cursor = page.cursor ?? undefined;
          if (cursor === undefined) return;
        }
      });
      if (cursor !== undefined) io.err(`cursor: ${cursor}\n`);
      return EXIT.ok;
    }),
  );
}

function textLines(item: ScanItem): string {
  return item.siblings.map((s) => `${item.key}\t${Buffer.from(s.value).toString('utf8')}\n`).join('');
}

function jsonLine(item: ScanItem): string {
  const siblings = item.siblings.map((s) => ({
    value: Buffer.from(s.value).toString('utf8'),
    base64: Buffer.from(s.value).toString('base64'),
    writtenAt: s.writtenAt,
    ...(s.expiresAt !== undefined ? { expiresAt: s.expiresAt } : {}),
  }));
  return `${JSON.stringify({ key: item.key, values: siblings.map((s) => s.value), siblings, context: contextToken(item.context) })}\n`;
}
