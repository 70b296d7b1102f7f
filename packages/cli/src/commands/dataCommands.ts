import { DynamisClient, type GetResult } from '@dynamis/client';
import type { WriteOptions } from '@dynamis/core';
import type { Command } from 'commander';
import { resolveTarget, type ConnectionOptions } from '../connection';
import { EXIT } from '../exitCodes';
import { contextFromToken, contextToken, parseConsistency, parseCount } from '../format';
import type { Io } from '../io';
import { connectionOptions, withConnectionOptions } from './connectionOptions';

type Run = (work: () => Promise<number>) => Promise<void>;

/**
 * `dynamis put|get|del`: one request through @dynamis/client (retries and
 * failover as the client does them). Output contract (README "Output"):
 * put/del print `ok acks=<n> context=<token>` on stdout (del without
 * --context reads the key first and deletes with that read's context, so that
 * it deletes what is there under vector clocks too); get prints each live
 * value (UTF-8) on its own line on stdout and `context: <token>` (and the
 * sibling count when there are several) on stderr; `--json` prints one JSON
 * object on stdout instead. Failures print `error CODE: message` on stderr.
 */
export function addDataCommands(program: Command, io: Io, run: Run): void {
  withConnectionOptions(
    program
      .command('put')
      .description('write a value (exit 0 ok, 2 usage, 3 error)')
      .argument('<key>', 'the key')
      .argument('<value>', 'the value (stored as its UTF-8 bytes)')
      .option('--ttl <ms>', 'time to live in ms: the value disappears from reads once it elapses')
      .option('--consistency <level>', 'W: one | quorum | all | a replica count (default: the node’s replication.w)')
      .option('--context <token>', 'the context printed by a previous get: this write supersedes what it read (resolves siblings)')
      .option('--json', 'print {"acks","context"} as JSON'),
  ).action((key: string, value: string, opts: Record<string, unknown>) =>
    run(async () => {
      const options: WriteOptions = {
        ...writeOptions(opts),
        ...(opts.ttl !== undefined ? { ttlMs: parseCount('--ttl', String(opts.ttl), 1) } : {}),
      };
      const r = await withClient(connectionOptions(opts), io, (c) => c.put(key, Buffer.from(value, 'utf8'), options));
      io.out(
        opts.json
          ? `${JSON.stringify({ acks: r.acks, context: contextToken(r.context) })}\n`
          : `ok acks=${r.acks} context=${contextToken(r.context)}\n`,
      );
      return EXIT.ok;
    }),
  );

  withConnectionOptions(
    program
      .command('get')
      .description('read a key: its value, or every sibling (exit 0 found, 1 not found, 2 usage, 3 error)')
      .argument('<key>', 'the key')
      .option('--consistency <level>', 'R: one | quorum | all | a replica count (default: the node’s replication.r)')
      .option('--json', 'print {"found","values","siblings","context"} as JSON'),
  ).action((key: string, opts: Record<string, unknown>) =>
    run(async () => {
      const consistency = opts.consistency === undefined ? {} : { consistency: parseConsistency(String(opts.consistency)) };
      const r = await withClient(connectionOptions(opts), io, (c) => c.get(key, consistency));
      printGet(key, r, opts.json === true, io);
      return r.found ? EXIT.ok : EXIT.notFound;
    }),
  );

  withConnectionOptions(
    program
      .command('del')
      .description('delete a key; deleting a missing key succeeds (exit 0 ok, 2 usage, 3 error)')
      .argument('<key>', 'the key')
      .option('--consistency <level>', 'W: one | quorum | all | a replica count (default: the node’s replication.w)')
      .option(
        '--context <token>',
        'the context printed by a previous get: delete what it read (default: read the key first and delete what that read saw)',
      )
      .option('--json', 'print {"acks","context"} as JSON'),
  ).action((key: string, opts: Record<string, unknown>) =>
    run(async () => {
      const options = writeOptions(opts);
      const r = await withClient(connectionOptions(opts), io, async (c) =>
        // Without --context, delete what a read sees now: under vector clocks a delete with no context supersedes nothing.
        c.delete(key, options.context !== undefined ? options : { ...options, context: (await c.get(key)).context }),
      );
      io.out(
        opts.json
          ? `${JSON.stringify({ acks: r.acks, context: contextToken(r.context) })}\n`
          : `ok acks=${r.acks} context=${contextToken(r.context)}\n`,
      );
      return EXIT.ok;
    }),
  );
}

/** `--consistency` and `--context` of a write command, parsed (INVALID_ARGUMENT naming the flag). */
export function writeOptions(opts: Record<string, unknown>): {
  consistency?: WriteOptions['consistency'];
  context?: WriteOptions['context'];
} {
  return {
    ...(opts.consistency !== undefined ? { consistency: parseConsistency(String(opts.consistency)) } : {}),
    ...(opts.context !== undefined ? { context: contextFromToken(String(opts.context)) } : {}),
  };
}

function printGet(key: string, r: GetResult, json: boolean, io: Io): void {
  const context = contextToken(r.context);
  if (json) {
    const siblings = r.siblings.map((s) => ({
      value: Buffer.from(s.value).toString('utf8'),
      base64: Buffer.from(s.value).toString('base64'),
      writtenAt: s.writtenAt,
      ...(s.expiresAt !== undefined ? { expiresAt: s.expiresAt } : {}),
    }));
    io.out(`${JSON.stringify({ found: r.found, values: siblings.map((s) => s.value), siblings, context })}\n`);
    return;
  }
  if (!r.found) {
    io.err(`not found: ${key}\n`);
    return;
  }
  for (const v of r.values) io.out(`${Buffer.from(v).toString('utf8')}\n`);
  if (r.values.length > 1) io.err(`${r.values.length} siblings (one value per line); write with --context to resolve them\n`);
  io.err(`context: ${context}\n`);
}

/** Connects to the target of `options`, runs `work`, closes the client whatever happens. */
export async function withClient<T>(options: ConnectionOptions, io: Io, work: (client: DynamisClient) => Promise<T>): Promise<T> {
  const target = resolveTarget(options, io.cwd, io.env);
  const client = await DynamisClient.connect({
    nodes: target.nodes,
    token: target.token,
    clientId: target.clientId,
    timeoutMs: target.timeoutMs,
    ...(target.tls === undefined ? {} : { tls: target.tls }),
  });
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}
