import { DynamisError } from '@dynamis/core';
import { resolve } from 'node:path';
import { nodeAddresses, readClusterFiles, readSecret, CLIENT_TOKEN_FILE } from './cluster/clusterLayout';

/** The options every client command takes (README "Connecting"). */
export interface ConnectionOptions {
  /** host:port or ws://host:port, repeatable; default: every node of the cluster in dataDir. */
  readonly connect?: readonly string[];
  /** A file whose first line is the client token; default: env DYNAMIS_CLIENT_TOKEN, then `<dataDir>/client-token`. */
  readonly secretFile?: string;
  /** The local cluster's data dir (default ./data). */
  readonly dataDir: string;
  readonly clientId: string;
  readonly timeoutMs: number;
  /** --ca FILE: the CA (PEM) of a TLS cluster; nodes are then dialled over wss. */
  readonly ca?: string;
}

/** Where a client command connects and with which token. */
export interface Target {
  readonly nodes: string[];
  readonly token: string;
  readonly clientId: string;
  readonly timeoutMs: number;
  /** TLS towards every node (absolute path of the CA file); undefined: as each address says. */
  readonly tls?: { readonly ca: string };
}

/**
 * The nodes and the token for `options`, in `cwd` with environment `env`.
 * Throws INVALID_ARGUMENT (exit 2) when neither --connect nor a cluster in
 * the data dir names a node, or no token is found; INVALID_CONFIG when a file
 * is unreadable or malformed.
 */
export function resolveTarget(options: ConnectionOptions, cwd: string, env: Readonly<Record<string, string | undefined>>): Target {
  const dir = resolve(cwd, options.dataDir);
  const hasConnect = options.connect !== undefined && options.connect.length > 0;
  const cluster =
    hasConnect && (options.secretFile !== undefined || nonEmpty(env.DYNAMIS_CLIENT_TOKEN)) ? undefined : readClusterFiles(dir);
  const nodes = hasConnect ? options.connect!.flatMap((c) => c.split(',')).map(toAddress) : cluster && nodeAddresses(cluster.layout);
  if (nodes === undefined) {
    throw new DynamisError(
      'INVALID_ARGUMENT',
      `no cluster in ${dir} (no ${CLIENT_TOKEN_FILE} / cluster.json there): start one with \`npm start\` or \`dynamis cluster\`, or give --connect host:port and --secret-file`,
    );
  }
  let token: string | undefined;
  if (options.secretFile !== undefined) token = readSecret(resolve(cwd, options.secretFile));
  else if (nonEmpty(env.DYNAMIS_CLIENT_TOKEN)) token = env.DYNAMIS_CLIENT_TOKEN;
  else token = cluster?.clientToken;
  if (token === undefined) {
    throw new DynamisError(
      'INVALID_ARGUMENT',
      'no client token: give --secret-file, set DYNAMIS_CLIENT_TOKEN, or run in the directory of the cluster',
    );
  }
  if (options.ca === undefined) return { nodes, token, clientId: options.clientId, timeoutMs: options.timeoutMs };
  // With a CA every node is dialled over TLS whatever its scheme (@dynamis/client): name it so in every table.
  const secure = nodes.map((a) => a.replace(/^ws:\/\//, 'wss://'));
  return { nodes: secure, token, clientId: options.clientId, timeoutMs: options.timeoutMs, tls: { ca: resolve(cwd, options.ca) } };
}

function toAddress(text: string): string {
  const t = text.trim();
  return t.startsWith('ws://') || t.startsWith('wss://') ? t : `ws://${t}`;
}

function nonEmpty(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}
