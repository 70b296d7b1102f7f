import { DynamisError, parseWithSchema, type DynamisConfigInput } from '@dynamis/core';
import { z } from 'zod';

const clientId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'client ids are 1–64 characters of [A-Za-z0-9._-]');
const secretText = z.string().min(16, 'must be at least 16 characters');

/**
 * The server's own options. Every other top-level key is the node config of
 * @dynamis/core (nodeId, dataDir, listen, limits, replication, timeouts, log,
 * tombstones), validated by core. Secrets are never logged or echoed.
 */
export const serverOptionsSchema = z.object({
  coordinator: z
    .enum(['local', 'quorum'])
    .default('local')
    .describe(
      "Coordinator: 'local' (one node, one copy) or 'quorum' (a cluster node: @dynamis/quorum + @dynamis/ring + @dynamis/membership-static over `seeds`, N/W/R from `replication`).",
    ),
  resolver: z
    .enum(['lww', 'vclock'])
    .default('lww')
    .describe("ConflictResolver: 'lww' (last write wins) or 'vclock' (dotted version vectors, siblings kept)."),
  resolverOptions: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Options of the resolver plugin (conflict-vclock: maxSiblings, maxContextEntries), validated by it.'),
  ring: z.record(z.string(), z.unknown()).default({}).describe("Options of @dynamis/ring (coordinator 'quorum' only), validated by it."),
  membership: z
    .enum(['static', 'gossip'], { error: "expected 'static' or 'gossip' (the membership plugin's options go in 'membershipOptions')" })
    .optional()
    .describe(
      "Membership of a cluster node (coordinator 'quorum' only; default 'gossip'): 'static' (@dynamis/membership-static, `seeds` are every member) or 'gossip' (@dynamis/gossip, SWIM; `seeds` are contact points).",
    ),
  membershipOptions: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Options of the membership plugin chosen by `membership`, validated by it.'),
  hintedHandoff: z
    .boolean()
    .optional()
    .describe("Compose @dynamis/hinted-handoff (coordinator 'quorum' only; default true). Flags --hints / --no-hints."),
  hintedHandoffOptions: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Options of @dynamis/hinted-handoff (windowMs, maxHintsPerTarget, maxBytesPerSecond, ...), validated by it.'),
  antiEntropy: z
    .boolean()
    .optional()
    .describe("Compose @dynamis/anti-entropy (coordinator 'quorum' only; default true). Flags --anti-entropy / --no-anti-entropy."),
  antiEntropyOptions: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Options of @dynamis/anti-entropy (intervalMs, treeLevels, maxBytesPerSecond, ...), validated by it.'),
  rebalance: z
    .boolean()
    .optional()
    .describe(
      "Compose @dynamis/rebalance (coordinator 'quorum' only; default true with gossip membership, false with static, whose members never change). Flags --rebalance / --no-rebalance.",
    ),
  rebalanceOptions: z
    .record(z.string(), z.unknown())
    .default({})
    .describe('Options of @dynamis/rebalance (maxBytesInFlight, maxConcurrentStreams, drainMs, ...), validated by it.'),
  engine: z
    .enum(['memory', 'lsm'])
    .default('memory')
    .describe("Storage engine: 'memory' (volatile) or 'lsm' (durable, in `${dataDir}/engine`)."),
  engineOptions: z
    .record(z.string(), z.unknown())
    .default({})
    .describe(
      'Options of the engine plugin (engine-memory: maxNodeSize; engine-lsm: fsync, memtableBytes, compaction, ...), validated by it.',
    ),
  secret: secretText.optional().describe('Cluster secret for node-to-node HMAC authentication. Required; env DYNAMIS_SECRET overrides.'),
  clientTokens: z.record(clientId, secretText).default({}).describe('Client id → token of the clients this node accepts.'),
  clientToken: secretText
    .optional()
    .describe('Shorthand for clientTokens.default (the id DynamisClient uses by default); env DYNAMIS_CLIENT_TOKEN overrides.'),
  noClients: z
    .boolean()
    .default(false)
    .describe('Run without any client token (no client can connect; for a node only peers reach). Flag --no-clients.'),
  shutdownLingerMs: z
    .number()
    .int()
    .nonnegative()
    .default(250)
    .describe(
      'On shutdown, after requests in flight are answered, keep refusing new ones (as not applied, so clients retry elsewhere) this long before closing connections.',
    ),
  transport: z
    .record(z.string(), z.unknown())
    .default({})
    .describe(
      'Further @dynamis/transport-ws options (maxPayloadBytes, maxConnections, timeouts, tls: { cert, key, ca, mutual }, ...), validated by that plugin. Flags --tls-cert/--tls-key/--tls-ca/--tls-mutual set transport.tls.',
    ),
  logFormat: z
    .enum(['auto', 'json', 'pretty'])
    .default('auto')
    .describe(
      "How the node's log lines look (@dynamis/log-pino, at log.level): 'json' (one JSON object per line), 'pretty' (human-readable), 'auto' (pretty when stderr is a terminal). Flag --log-format.",
    ),
  admin: z
    .record(z.string(), z.unknown())
    .optional()
    .describe(
      'Options of @dynamis/admin (listen, token, tokenFile, maxConnections), validated by it; absent: no admin endpoint. Flag --admin.',
    ),
});

export type ServerOptions = z.output<typeof serverOptionsSchema>;

/** What startServer accepts: the node config plus the server options, as a user writes them. */
export type ServerConfigInput = DynamisConfigInput & z.input<typeof serverOptionsSchema>;

/** A resolved server config: the node config (still to be validated by core) and the server options, secret present. */
export interface ResolvedServerConfig {
  readonly node: Record<string, unknown>;
  readonly coordinator: ServerOptions['coordinator'];
  readonly resolver: ServerOptions['resolver'];
  readonly resolverOptions: Readonly<Record<string, unknown>>;
  /** Options of the ring; empty unless coordinator is 'quorum'. */
  readonly ring: Readonly<Record<string, unknown>>;
  /** The cluster plugins around the quorum coordinator: 'none', false, false and no options with coordinator 'local'. */
  readonly cluster: ClusterPlugins;
  readonly engine: ServerOptions['engine'];
  readonly engineOptions: Readonly<Record<string, unknown>>;
  readonly secret: string;
  readonly clientTokens: Readonly<Record<string, string>>;
  readonly transport: Readonly<Record<string, unknown>>;
  /** Options of @dynamis/admin; undefined: no admin endpoint. */
  readonly admin: Readonly<Record<string, unknown>> | undefined;
  readonly shutdownLingerMs: number;
  /** The log format (@dynamis/log-pino). */
  readonly logFormat: ServerOptions['logFormat'];
  /** True when started with noClients (then clientTokens is empty). */
  readonly noClients: boolean;
}

/** What a cluster node (coordinator 'quorum') composes unless told otherwise: every self-healing plugin (README "Self-healing"). */
export const CLUSTER_DEFAULTS = { membership: 'gossip', hintedHandoff: true, antiEntropy: true } as const;

const CLUSTER_KEYS = [
  'membership',
  'membershipOptions',
  'hintedHandoff',
  'hintedHandoffOptions',
  'antiEntropy',
  'antiEntropyOptions',
  'rebalance',
  'rebalanceOptions',
] as const;

/** The membership and self-healing plugins of a node, resolved. */
export interface ClusterPlugins {
  /** 'none' with coordinator 'local'. */
  readonly membership: 'none' | 'static' | 'gossip';
  readonly membershipOptions: Readonly<Record<string, unknown>>;
  readonly hintedHandoff: boolean;
  readonly hintedHandoffOptions: Readonly<Record<string, unknown>>;
  readonly antiEntropy: boolean;
  readonly antiEntropyOptions: Readonly<Record<string, unknown>>;
  readonly rebalance: boolean;
  readonly rebalanceOptions: Readonly<Record<string, unknown>>;
}

const SERVER_KEYS = [
  'coordinator',
  'resolver',
  'resolverOptions',
  'ring',
  'membership',
  'membershipOptions',
  'hintedHandoff',
  'hintedHandoffOptions',
  'antiEntropy',
  'antiEntropyOptions',
  'rebalance',
  'rebalanceOptions',
  'engine',
  'engineOptions',
  'secret',
  'clientTokens',
  'clientToken',
  'noClients',
  'shutdownLingerMs',
  'transport',
  'admin',
  'logFormat',
] as const;

const NO_TOKEN =
  "no client token: set 'clientToken' (or env DYNAMIS_CLIENT_TOKEN) or 'clientTokens' so that clients can connect, " +
  "or 'noClients': true (flag --no-clients) for a node that serves no client";

/**
 * Splits `input` into node config and server options, validates the server
 * options and applies the environment: DYNAMIS_SECRET replaces `secret`,
 * DYNAMIS_CLIENT_TOKEN replaces `clientTokens.default`. Throws INVALID_CONFIG
 * (every bad path listed; no secret in the message), including when no
 * secret is given at all, and when no client token is given unless
 * `noClients` is set (a node no client can reach is refused rather than
 * started silently), or when both are. Pure: reads only its arguments.
 */
export function resolveServerConfig(input: unknown, env: Readonly<Record<string, string | undefined>> = {}): ResolvedServerConfig {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new DynamisError('INVALID_CONFIG', 'The server config must be a JSON object');
  }
  const node: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if ((SERVER_KEYS as readonly string[]).includes(key)) own[key] = value;
    else node[key] = value;
  }
  if (nonEmpty(env.DYNAMIS_SECRET)) own.secret = env.DYNAMIS_SECRET;
  if (nonEmpty(env.DYNAMIS_CLIENT_TOKEN)) own.clientToken = env.DYNAMIS_CLIENT_TOKEN;
  const o = parseWithSchema(serverOptionsSchema, own, 'server config');
  if (o.secret === undefined) {
    throw new DynamisError('INVALID_CONFIG', "Invalid server config:\n  - secret: required (the config's 'secret' or env DYNAMIS_SECRET)", {
      details: { problems: [{ path: 'secret', message: 'required' }] },
    });
  }
  const clientTokens = o.clientToken === undefined ? o.clientTokens : { ...o.clientTokens, default: o.clientToken };
  const tokens = Object.keys(clientTokens).length;
  if (tokens === 0 && !o.noClients) throw invalid('clientToken', NO_TOKEN);
  if (tokens > 0 && o.noClients) throw invalid('noClients', 'noClients (--no-clients) is set, but client tokens are given: choose one');
  const cluster = resolveClusterPlugins(o);
  return {
    node,
    coordinator: o.coordinator,
    resolver: o.resolver,
    resolverOptions: o.resolverOptions,
    ring: o.ring,
    cluster,
    engine: o.engine,
    engineOptions: o.engineOptions,
    secret: o.secret,
    clientTokens,
    transport: o.transport,
    admin: o.admin,
    shutdownLingerMs: o.shutdownLingerMs,
    logFormat: o.logFormat,
    noClients: o.noClients,
  };
}

/** The cluster plugins of `o`: defaults for coordinator 'quorum'; with 'local' every cluster key given is refused (nothing reads it). */
function resolveClusterPlugins(o: ServerOptions): ClusterPlugins {
  if (o.coordinator === 'local') {
    for (const key of ['ring', ...CLUSTER_KEYS] as const) {
      const v = o[key];
      const given = typeof v === 'object' ? Object.keys(v).length > 0 : v !== undefined;
      if (given) throw invalid(key, `'${key}' is read only with coordinator 'quorum' (coordinator is 'local')`);
    }
    return {
      membership: 'none',
      membershipOptions: {},
      hintedHandoff: false,
      hintedHandoffOptions: {},
      antiEntropy: false,
      antiEntropyOptions: {},
      rebalance: false,
      rebalanceOptions: {},
    };
  }
  const hintedHandoff = o.hintedHandoff ?? CLUSTER_DEFAULTS.hintedHandoff;
  const antiEntropy = o.antiEntropy ?? CLUSTER_DEFAULTS.antiEntropy;
  if (!hintedHandoff && Object.keys(o.hintedHandoffOptions).length > 0)
    throw invalid('hintedHandoffOptions', "read only with hintedHandoff on (it is off): remove them or set 'hintedHandoff': true");
  if (!antiEntropy && Object.keys(o.antiEntropyOptions).length > 0)
    throw invalid('antiEntropyOptions', "read only with antiEntropy on (it is off): remove them or set 'antiEntropy': true");
  const membership = o.membership ?? CLUSTER_DEFAULTS.membership;
  const rebalance = o.rebalance ?? membership === 'gossip';
  if (!rebalance && Object.keys(o.rebalanceOptions).length > 0)
    throw invalid('rebalanceOptions', "read only with rebalance on (it is off): remove them or set 'rebalance': true");
  return {
    membership,
    membershipOptions: o.membershipOptions,
    hintedHandoff,
    hintedHandoffOptions: o.hintedHandoffOptions,
    antiEntropy,
    antiEntropyOptions: o.antiEntropyOptions,
    rebalance,
    rebalanceOptions: o.rebalanceOptions,
  };
}

function invalid(path: string, message: string): DynamisError {
  return new DynamisError('INVALID_CONFIG', `Invalid server config:\n  - ${path}: ${message}`, {
    details: { problems: [{ path, message }] },
  });
}

function nonEmpty(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
