import { DynamisError, errorLine, SystemClock } from '@dynamis/core';
import { readFileSync } from 'node:fs';
import { buildConfig, parseCliArgs, USAGE } from './cli';
import { startServer, type DynamisServer } from './startServer';

/** How a command running a node names itself and where it writes. */
export interface RunServerOptions {
  /** The command as the user typed it, put in place of `dynamis-server` in the usage text (e.g. `dynamis start`). */
  readonly command?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly stdout?: (text: string) => void;
  readonly stderr?: (text: string) => void;
  /** Ends the process with `code` once the node stopped (after a signal). Default: process.exit. */
  readonly exit?: (code: number) => void;
}

/**
 * The body of `dynamis-server` (and of `dynamis start`): parses `argv` with
 * the server's flag parser (cli.ts), reads the config file, starts the node,
 * prints `dynamis node <id> listening on <address>` and, on SIGTERM/SIGINT,
 * stops gracefully, prints `stopped` and exits 0 (exit 1 if the stop failed).
 * Once the node has left the cluster for good (`client.admin.leave`, e.g.
 * `dynamis leave <id>`) and handed its partitions off, it prints `left the
 * cluster` and stops the same way.
 * A second signal at least 1 s into the shutdown exits 1 at once (sooner, it
 * is taken for the same signal delivered twice, as npm, timeout(1) or a
 * terminal's Ctrl-C reaching a whole process group do). Resolves undefined
 * after printing the usage for --help. Throws INVALID_ARGUMENT (bad flag),
 * INVALID_CONFIG (bad config, naming the key) or startServer's errors; the
 * caller reports them (see reportError) and picks the exit code.
 */
export async function runServer(argv: readonly string[], options: RunServerOptions = {}): Promise<DynamisServer | undefined> {
  const out = options.stdout ?? ((t: string) => void process.stdout.write(t));
  const args = parseCliArgs(argv);
  if (args.help) {
    out(`${usageFor(options.command)}\n`);
    return undefined;
  }
  const fileText = args.config === undefined ? undefined : readConfigFile(args.config);
  const server = await startServer(buildConfig(fileText, args), { env: options.env ?? process.env });
  out(`dynamis node ${server.node.config.nodeId} listening on ${server.address}\n`);
  if (server.adminUrl !== undefined) out(`dynamis node ${server.node.config.nodeId} admin on ${server.adminUrl}\n`);
  onSignals(server, out, options.stderr ?? ((t: string) => void process.stderr.write(t)), options.exit ?? ((c) => process.exit(c)));
  return server;
}

/** The server's usage text, for `command` (default `dynamis-server`). */
export function usageFor(command = 'dynamis-server'): string {
  return USAGE.split('dynamis-server').join(command);
}

/** `error CODE: message` on stderr, the format every Dynamis command uses for a failure. */
export function reportError(err: unknown, stderr: (text: string) => void = (t) => void process.stderr.write(t)): void {
  stderr(errorLine(err));
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new DynamisError('INVALID_CONFIG', `cannot read config file ${path}: ${(err as Error).message}`, { cause: err });
  }
}

/** A repeated signal this soon after the first is a duplicate delivery, not an impatient operator. */
const DUPLICATE_SIGNAL_MS = 1000;

function onSignals(server: DynamisServer, out: (t: string) => void, err: (t: string) => void, exit: (code: number) => void): void {
  const clock = new SystemClock();
  let since: number | undefined;
  const shutdown = (signal: NodeJS.Signals | 'left'): void => {
    if (since !== undefined) {
      if (signal === 'left' || clock.monotonic() - since < DUPLICATE_SIGNAL_MS) return;
      err(`${signal} again: exiting without waiting\n`);
      exit(1);
      return;
    }
    since = clock.monotonic();
    out(signal === 'left' ? 'left the cluster: partitions handed off; shutting down\n' : `${signal}: shutting down\n`);
    server.stop().then(
      () => {
        out('stopped\n');
        exit(0);
      },
      (e: unknown) => {
        reportError(e, err);
        exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  void server.node.left.then(() => shutdown('left'));
}
