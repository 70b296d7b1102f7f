import { DynamisError } from '@dynamis/core';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';

/** The file in a cluster's data dir that fixes its shape (ids, host, ports, replication). */
export const LAYOUT_FILE = 'cluster.json';
/** The cluster secret (node-to-node HMAC key), mode 0600. */
export const SECRET_FILE = 'secret';
/** The client token of client id `default`, mode 0600; what `--secret-file` defaults to. */
export const CLIENT_TOKEN_FILE = 'client-token';

const layoutSchema = z
  .object({
    version: z.literal(1),
    host: z.string().min(1),
    nodes: z
      .array(
        z
          .object({
            id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
            port: z.number().int().min(1).max(65535),
            /** The node's admin endpoint (dashboard, /health, /status, /metrics); absent in layouts written before it existed. */
            adminPort: z.number().int().min(1).max(65535).optional(),
          })
          .strict(),
      )
      .min(1),
    replication: z.object({ n: z.number().int().positive(), w: z.number().int().positive(), r: z.number().int().positive() }).strict(),
  })
  .strict();

/** A local cluster's shape: what `dynamis cluster` starts and the client commands connect to. */
export type ClusterLayout = z.output<typeof layoutSchema>;

/** A layout with its secrets, as read from or written to a data dir. */
export interface ClusterFiles {
  readonly dir: string;
  readonly layout: ClusterLayout;
  readonly secret: string;
  readonly clientToken: string;
}

/** The address of each node, ws://host:port, in layout order. */
export function nodeAddresses(layout: ClusterLayout): string[] {
  return layout.nodes.map((n) => `ws://${layout.host}:${n.port}`);
}

/** The admin endpoint of each node, http://host:port/, in layout order; undefined for a node without an admin port. */
export function adminUrls(layout: ClusterLayout): (string | undefined)[] {
  const host = layout.host.includes(':') ? `[${layout.host}]` : layout.host;
  return layout.nodes.map((n) => (n.adminPort === undefined ? undefined : `http://${host}:${n.adminPort}/`));
}

/**
 * The layout for `nodes` nodes n1..nN on `host` and `ports` (one per node),
with `replication` when given (the nodes check its ranges at start), else
 * N = min(3, nodes) and W = R = a majority of N; `adminPorts`, when given,
 * one per node too.
 */
export function newLayout(
  host: string,
  ports: readonly number[],
  replication?: ClusterLayout['replication'],
  adminPorts?: readonly number[],
): ClusterLayout {
  const n = Math.min(3, ports.length);
  const majority = Math.floor(n / 2) + 1;
  return {
    version: 1,
    host,
    nodes: ports.map((port, i) => ({ id: `n${i + 1}`, port, ...(adminPorts?.[i] === undefined ? {} : { adminPort: adminPorts[i] }) })),
    replication: replication ?? { n, w: majority, r: majority },
  };
}

/**
 * Reads the cluster in `dir`: undefined when `dir` holds no LAYOUT_FILE.
 * Throws INVALID_CONFIG naming the file and the bad key when it or a secret
 * file is malformed or missing.
 */
export function readClusterFiles(dir: string): ClusterFiles | undefined {
  const file = join(dir, LAYOUT_FILE);
  if (!existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DynamisError('INVALID_CONFIG', `${file} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  const parsed = layoutSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    throw new DynamisError('INVALID_CONFIG', `${file} is not a dynamis cluster layout:\n${problems}`);
  }
  return { dir, layout: parsed.data, secret: readSecret(join(dir, SECRET_FILE)), clientToken: readSecret(join(dir, CLIENT_TOKEN_FILE)) };
}

/** Writes `layout` and two fresh random secrets into `dir` (created if needed); secrets are mode 0600. */
export function writeClusterFiles(dir: string, layout: ClusterLayout): ClusterFiles {
  mkdirSync(dir, { recursive: true });
  const secret = randomBytes(24).toString('base64url');
  const clientToken = randomBytes(24).toString('base64url');
  writeFileSync(join(dir, SECRET_FILE), `${secret}\n`, { mode: 0o600 });
  writeFileSync(join(dir, CLIENT_TOKEN_FILE), `${clientToken}\n`, { mode: 0o600 });
  writeLayout(dir, layout);
  return { dir, layout, secret, clientToken };
}

/** Replaces the LAYOUT_FILE of `dir` with `layout` (the secrets are left as they are). */
export function writeLayout(dir: string, layout: ClusterLayout): void {
  writeFileSync(join(dir, LAYOUT_FILE), `${JSON.stringify(layout, null, 2)}\n`);
}

/** The first line of `file`, trimmed; INVALID_CONFIG naming the file when it cannot be read or is shorter than 16 characters. */
export function readSecret(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new DynamisError('INVALID_CONFIG', `cannot read ${file}: ${(err as Error).message}`, { cause: err });
  }
  const secret = (text.split('\n')[0] ?? '').trim();
  if (secret.length < 16) throw new DynamisError('INVALID_CONFIG', `${file}: the secret must be at least 16 characters on its first line`);
  return secret;
}
