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
  /** --log-format: logFormat (auto | json | pretty). */
  readonly logFormat?: 'auto' | 'json' | 'pretty';
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
  /** --tls-cert / --tls-key / --tls-ca / --tls-mutual: transport.tls.cert / key / ca / mutual (paths of PEM files). */
  readonly tls?: { readonly cert?: string; readonly key?: string; readonly ca?: string; readonly mutual?: boolean };
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
      --log-format <f>  json (one JSON object per line) | pretty (human-readable) | auto (default:
                        pretty when stderr is a terminal) (logFormat)
      --no-clients      start without a client token: no client can connect (noClients)
      --admin <host:port>  serve /health, /status, /metrics there (admin.listen; off by default;
                        not loopback: admin.token or admin.tokenFile is required)
      --tls-cert <path> serve wss:// with this certificate (PEM) and dial peers over TLS
                        (transport.tls.cert; needs --tls-key)
      --tls-key <path>  the certificate's private key (PEM, unencrypted) (transport.tls.key)
      --tls-ca <path>   CA certificate(s) (PEM) that peers' certificates must chain to
                        (transport.tls.ca; default: Node's built-in roots)
      --tls-mutual      mutual TLS: nodes must present a certificate from --tls-ca
                        (transport.tls.mutual); clients still need only the CA
                        (a node on a non-loopback address without TLS logs a warning at start)
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
    .option('log-format', {
      type: 'string',
      choices: ['auto', 'json', 'pretty'],
      describe: 'Log line format (logFormat).',
    })
    .option('clients', { type: 'boolean', describe: 'Accept clients (--no-clients: serve none; noClients).' })
    .option('admin', { type: 'string', describe: 'host:port of the admin endpoint (admin.listen).' })
    .option('tls-cert', { type: 'string', describe: 'Certificate (PEM) to serve wss:// with (transport.tls.cert).' })
    .option('tls-key', { type: 'string', describe: 'Its private key (PEM) (transport.tls.key).' })
    .option('tls-ca', { type: 'string', describe: 'CA (PEM) peers must chain to (transport.tls.ca).' })
    .option('tls-mutual', { type: 'boolean', describe: 'Mutual TLS between nodes (transport.tls.mutual).' })
    .strict()
    .help(false)
    .version(false)
    .option('help', { alias: 'h', type: 'boolean', describe: 'Show this help.' })
    .exitProcess(false)
    .fail((msg, err) => onFail(msg ?? err?.message ?? 'bad arguments'));
}

/**
 * Parses `argv` (without node and script). Throws INVALID_ARGUMENT naming the
 * bad flag (unknown flag, bad number, bad choice, a flag other than --peer
 * given twice); `help` is true for --help.
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  let failure: string | undefined;
  const parser = cliParser(argv, (message) => (failure = message));
  const parsed = parser.parseSync();
  if (failure !== undefined) throw new DynamisError('INVALID_ARGUMENT', `${failure}\n\n${USAGE}`);
  // yargs makes a valued flag given twice an array: only --peer may repeat (a second --replication was a TypeError, a second
  // --host a late INVALID_CONFIG). A switch given twice (--hints --no-hints) is not an array: the last one says.
  // The parser's own option list (getOptions: yargs' untyped view), so a flag added there is checked too.
  const options = (parser as unknown as { getOptions(): { key: Record<string, boolean>; array: string[] } }).getOptions();
  for (const name of Object.keys(options.key)) {
    const value: unknown = parsed[name];
    if (!options.array.includes(name) && Array.isArray(value)) {
      throw new DynamisError('INVALID_ARGUMENT', `--${name} was given ${value.length} times; give it once (only --peer repeats)`, {
        details: { flag: name },
      });
    }
  }
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
    logFormat: parsed['log-format'] as CliArgs['logFormat'],
    ...(parsed.clients === false ? { noClients: true } : {}),
    ...(parsed.admin !== undefined ? { admin: parsed.admin } : {}),
    ...tlsArgs(parsed['tls-cert'], parsed['tls-key'], parsed['tls-ca'], parsed['tls-mutual']),
  };
}

/** The --tls-* flags given, as CliArgs.tls (absent when none is). */
function tlsArgs(cert?: string, key?: string, ca?: string, mutual?: boolean): Pick<CliArgs, 'tls'> {
  const tls = {
    ...(cert !== undefined ? { cert } : {}),
    ...(key !== undefined ? { key } : {}),
    ...(ca !== undefined ? { ca } : {}),
    ...(mutual !== undefined ? { mutual } : {}),
  };
  return Object.keys(tls).length === 0 ? {} : { tls };
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
  if (args.logFormat !== undefined) config.logFormat = args.logFormat;
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
  if (args.tls !== undefined) {
    const transport = sub('transport');
    const tls = transport.tls;
    const base = tls !== null && typeof tls === 'object' && !Array.isArray(tls) ? (tls as Record<string, unknown>) : {};
    transport.tls = { ...base, ...args.tls };
  }
  return config;
}
