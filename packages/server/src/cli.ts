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
  readonly coordinator?: 'local' | 'quorum';
  readonly resolver?: 'lww' | 'vclock';
  /** --peer id@host:port, repeatable: the config's `seeds` (replacing the file's). */
  readonly peers?: readonly string[];
  /** --replication n,w,r: replication.n/w/r (w and r: a number or one|quorum|all). */
  readonly replication?: { readonly n: number; readonly w: number | string; readonly r: number | string };
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** --membership: membership (cluster nodes). */
  readonly membership?: 'static' | 'gossip';
  /** --hints / --no-hints: hintedHandoff on or off. */
  readonly hints?: boolean;
  /** --anti-entropy / --no-anti-entropy: antiEntropy on or off. */
  readonly antiEntropy?: boolean;
  /** --rebalance / --no-rebalance: rebalance on or off. */
  readonly rebalance?: boolean;
  /** --no-clients: start without any client token (sets noClients). */
  readonly noClients?: boolean;
  /** --admin host:port: admin.listen (the @dynamis/admin endpoint; off unless given here or in the config). */
  readonly admin?: string;
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
      --coordinator <c> local (one node) | quorum (cluster node: quorum + ring + membership
                        + hinted handoff + anti-entropy)
      --membership <m>  static | gossip (default): a cluster node's membership (membership)
      --no-hints        without hinted handoff (hintedHandoff: false); --hints: with it (default)
      --no-anti-entropy without anti-entropy (antiEntropy: false); --anti-entropy: with it (default)
      --no-rebalance    without partition streaming on join/leave (rebalance: false); --rebalance:
                        with it (default with gossip membership)
                        (--membership, --[no-]hints, --[no-]anti-entropy, --[no-]rebalance: coordinator quorum only)
      --resolver <r>    lww | vclock
      --peer <id@host:port>  a seed, repeatable; all of them together replace 'seeds' (static
                        membership: every member; gossip: contact points, one reachable suffices)
      --replication <n,w,r>  replication.n, .w, .r; w and r a number or one|quorum|all (e.g. 3,2,2)
      --log-level <l>   debug | info | warn | error | silent (log.level)
      --no-clients      start without a client token: no client can connect (noClients)
      --admin <host:port>  serve /health, /status, /metrics there (admin.listen; off by default;
                        not loopback: admin.token or admin.tokenFile is required)
  -h, --help            this text`;

/**
 * The yargs parser of `dynamis-server` for `argv`, strict (an unknown flag is
 * a failure), with `onFail` receiving each failure message. Every option it
 * accepts must appear in USAGE (cli.spec.ts checks it).
 */
export function cliParser(argv: readonly string[], onFail: (message: string) => void) {
  return yargs([...argv])
    .scriptName('dynamis-server')
    .usage(USAGE)
    .option('config', { alias: 'c', type: 'string', describe: 'Path of a JSON config file (node config + server options).' })
    .option('host', { type: 'string', describe: 'Address to bind (listen.host).' })
    .option('port', { alias: 'p', type: 'number', describe: 'Port to bind, 0 = any free port (listen.port).' })
    .option('node-id', { type: 'string', describe: 'This node’s id (nodeId).' })
    .option('data-dir', { type: 'string', describe: 'Directory for this node’s files (dataDir).' })
    .option('engine', { type: 'string', choices: ['memory', 'lsm'], describe: 'Storage engine.' })
    .option('coordinator', { type: 'string', choices: ['local', 'quorum'], describe: 'Coordinator.' })
    .option('resolver', { type: 'string', choices: ['lww', 'vclock'], describe: 'ConflictResolver.' })
    .option('membership', { type: 'string', choices: ['static', 'gossip'], describe: 'Membership of a cluster node.' })
    .option('hints', { type: 'boolean', describe: 'Hinted handoff on or off (hintedHandoff).' })
    .option('anti-entropy', { type: 'boolean', describe: 'Anti-entropy on or off (antiEntropy).' })
    .option('rebalance', { type: 'boolean', describe: 'Partition streaming on join/leave on or off (rebalance).' })
    .option('peer', { type: 'string', array: true, describe: 'A cluster member id@host:port (repeatable; the seeds).' })
    .option('replication', { type: 'string', describe: 'n,w,r (replication.n/w/r).' })
    .option('log-level', {
      type: 'string',
      choices: ['debug', 'info', 'warn', 'error', 'silent'],
      describe: 'Lowest level logged (log.level).',
    })
    .option('clients', { type: 'boolean', describe: 'Accept clients (--no-clients: serve none; noClients).' })
    .option('admin', { type: 'string', describe: 'host:port of the admin endpoint (admin.listen).' })
    .strict()
    .help(false)
    .version(false)
    .option('help', { alias: 'h', type: 'boolean', describe: 'Show this help.' })
    .exitProcess(false)
    .fail((msg, err) => onFail(msg ?? err?.message ?? 'bad arguments'));
}

/**
 * Parses `argv` (without node and script). Throws INVALID_ARGUMENT naming the
 * bad flag (unknown flag, bad number, bad choice); `help` is true for --help.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let failure: string | undefined;
  const parsed = cliParser(argv, (message) => (failure = message)).parseSync();
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
    coordinator: parsed.coordinator as CliArgs['coordinator'],
    resolver: parsed.resolver as CliArgs['resolver'],
    membership: parsed.membership as CliArgs['membership'],
    hints: parsed.hints,
    antiEntropy: parsed['anti-entropy'],
    rebalance: parsed.rebalance,
    ...(parsed.peer !== undefined ? { peers: parsed.peer.map(String) } : {}),
    ...(parsed.replication !== undefined ? { replication: parseReplication(parsed.replication) } : {}),
    logLevel: parsed['log-level'] as CliArgs['logLevel'],
    ...(parsed.clients === false ? { noClients: true } : {}),
    ...(parsed.admin !== undefined ? { admin: parsed.admin } : {}),
  };
}

const LEVEL = /^(one|quorum|all|[1-9][0-9]*)$/;

/** `n,w,r` → replication; INVALID_ARGUMENT naming --replication when malformed (the ranges are checked by the coordinator). */
function parseReplication(text: string): NonNullable<CliArgs['replication']> {
  const parts = text.split(',').map((p) => p.trim());
  const [n, w, r] = parts;
  if (
    parts.length !== 3 ||
    n === undefined ||
    w === undefined ||
    r === undefined ||
    !/^[1-9][0-9]*$/.test(n) ||
    !LEVEL.test(w) ||
    !LEVEL.test(r)
  ) {
    throw new DynamisError(
      'INVALID_ARGUMENT',
      `--replication must be n,w,r (n a positive integer; w and r a positive integer or one|quorum|all), got '${text}'`,
    );
  }
  const level = (v: string): number | string => (/^[0-9]+$/.test(v) ? Number(v) : v);
  return { n: Number(n), w: level(w), r: level(r) };
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
  if (args.coordinator !== undefined) config.coordinator = args.coordinator;
  if (args.resolver !== undefined) config.resolver = args.resolver;
  if (args.membership !== undefined) config.membership = args.membership;
  if (args.hints !== undefined) config.hintedHandoff = args.hints;
  if (args.antiEntropy !== undefined) config.antiEntropy = args.antiEntropy;
  if (args.rebalance !== undefined) config.rebalance = args.rebalance;
  if (args.peers !== undefined) config.seeds = [...args.peers];
  if (args.replication !== undefined) Object.assign(sub('replication'), args.replication);
  if (args.noClients === true) config.noClients = true;
  if (args.admin !== undefined) sub('admin').listen = args.admin;
  return config;
}
