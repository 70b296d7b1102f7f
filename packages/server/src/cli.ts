import { DynamisError } from '@dynamis/core';
import yargs from 'yargs';

/** Flags of `dynamis-server`; each overrides the same setting of the config file. */
export interface CliArgs {
  readonly help: boolean;
  readonly config?: string;
  readonly host?: string;
  readonly port?: number;
  readonly nodeId?: string;
  readonly dataDir?: string;
  readonly engine?: 'memory' | 'lsm';
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** --no-clients: start without any client token (sets noClients). */
  readonly noClients?: boolean;
}

export const USAGE = `Usage: dynamis-server [--config node.json] [flags]

Starts a Dynamis node and prints the address it listens on. Stops gracefully
on SIGTERM or SIGINT (drains requests in flight, closes the engine), exit 0.
Secrets: 'secret' / 'clientToken' in the config, or env DYNAMIS_SECRET /
DYNAMIS_CLIENT_TOKEN (the environment wins). Both are required: without a
client token the server refuses to start, unless --no-clients is given.

Flags (each overrides the config file):
  -c, --config <path>   JSON config file: node config + server options
      --host <addr>     address to bind (listen.host)
  -p, --port <n>        port to bind, 0 = any free port (listen.port)
      --node-id <id>    this node's id (nodeId)
      --data-dir <dir>  directory for this node's files (dataDir)
      --engine <name>   memory | lsm
      --log-level <l>   debug | info | warn | error | silent (log.level)
      --no-clients      start without a client token: no client can connect (noClients)
  -h, --help            this text`;

/**
 * Parses `argv` (without node and script). Throws INVALID_ARGUMENT naming the
 * bad flag (unknown flag, bad number, bad choice); `help` is true for --help.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let failure: string | undefined;
  const parsed = yargs([...argv])
    .scriptName('dynamis-server')
    .usage(USAGE)
    .option('config', { alias: 'c', type: 'string', describe: 'Path of a JSON config file (node config + server options).' })
    .option('host', { type: 'string', describe: 'Address to bind (listen.host).' })
    .option('port', { alias: 'p', type: 'number', describe: 'Port to bind, 0 = any free port (listen.port).' })
    .option('node-id', { type: 'string', describe: 'This node’s id (nodeId).' })
    .option('data-dir', { type: 'string', describe: 'Directory for this node’s files (dataDir).' })
    .option('engine', { type: 'string', choices: ['memory', 'lsm'], describe: 'Storage engine.' })
    .option('log-level', {
      type: 'string',
      choices: ['debug', 'info', 'warn', 'error', 'silent'],
      describe: 'Lowest level logged (log.level).',
    })
    .option('clients', { type: 'boolean', describe: 'Accept clients (--no-clients: serve none; noClients).' })
    .strict()
    .help(false)
    .version(false)
    .option('help', { alias: 'h', type: 'boolean', describe: 'Show this help.' })
    .exitProcess(false)
    .fail((msg, err) => {
      failure = msg ?? err?.message ?? 'bad arguments';
    })
    .parseSync();
  if (failure !== undefined) throw new DynamisError('INVALID_ARGUMENT', `${failure}\n\n${USAGE}`);
  if (parsed.port !== undefined && !Number.isInteger(parsed.port)) throw new DynamisError('INVALID_ARGUMENT', '--port must be an integer');
  return {
    help: parsed.help === true,
    config: parsed.config,
    host: parsed.host,
    port: parsed.port,
    nodeId: parsed['node-id'],
    dataDir: parsed['data-dir'],
    engine: parsed.engine as CliArgs['engine'],
    logLevel: parsed['log-level'] as CliArgs['logLevel'],
    ...(parsed.clients === false ? { noClients: true } : {}),
  };
}

/**
 * The config: `fileText` (JSON, may be undefined for none) with the flags
 * laid over it. Throws INVALID_CONFIG when the text is not a JSON object.
 */
export function buildConfig(fileText: string | undefined, args: CliArgs): Record<string, unknown> {
  let base: unknown = {};
  if (fileText !== undefined) {
    try {
      base = JSON.parse(fileText);
    } catch (err) {
      throw new DynamisError('INVALID_CONFIG', `The config file is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
  }
  if (base === null || typeof base !== 'object' || Array.isArray(base))
    throw new DynamisError('INVALID_CONFIG', 'The config file must hold a JSON object');
  const config: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  const sub = (key: string): Record<string, unknown> => {
    const v = config[key];
    const copy = v !== null && typeof v === 'object' && !Array.isArray(v) ? { ...(v as Record<string, unknown>) } : {};
    config[key] = copy;
    return copy;
  };
  if (args.host !== undefined) sub('listen').host = args.host;
  if (args.port !== undefined) sub('listen').port = args.port;
  if (args.logLevel !== undefined) sub('log').level = args.logLevel;
  if (args.nodeId !== undefined) config.nodeId = args.nodeId;
  if (args.dataDir !== undefined) config.dataDir = args.dataDir;
  if (args.engine !== undefined) config.engine = args.engine;
  if (args.noClients === true) config.noClients = true;
  return config;
}
