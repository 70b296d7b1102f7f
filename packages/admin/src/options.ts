import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { DynamisError, parseWithSchema } from '@dynamis/core';
import { z } from 'zod';

const NAME = '@dynamis/admin';

/** Options of the admin endpoint, validated by admin(). Unknown keys are refused. */
export const adminOptionsSchema = z
  .object({
    listen: z
      .string()
      .regex(/^(\[[0-9a-fA-F:.]+\]|[^:\s[\]]+):\d{1,5}$/, 'must be host:port (IPv6 in brackets)')
      .default('127.0.0.1:0')
      .describe('host:port the HTTP endpoint binds (port 0: any free port). Not loopback: a token is required.'),
    token: z.string().min(16).max(256).optional().describe('Bearer token every request must carry (Authorization: Bearer <token>).'),
    tokenFile: z.string().min(1).optional().describe('A file holding the token (trimmed); exclusive with token.'),
    maxConnections: z
      .number()
      .int()
      .min(1)
      .max(10_000)
      .default(16)
      .describe('Most concurrent HTTP connections; more are closed at once by node:http.'),
    maxEventClients: z
      .number()
      .int()
      .min(0)
      .max(1000)
      .optional()
      .describe(
        'Most concurrent /events (dashboard) streams; more are answered 503. Below maxConnections; default min(4, maxConnections - 1).',
      ),
  })
  .strict();

export type AdminOptionsInput = z.input<typeof adminOptionsSchema>;

/** The resolved options: the token read, the address split. */
export interface AdminOptions {
  readonly host: string;
  readonly port: number;
  readonly token: string | undefined;
  readonly maxConnections: number;
  readonly maxEventClients: number;
}

/** True for 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost' || host === '::1') return true;
  return isIP(host) === 4 && host.startsWith('127.');
}

function refuse(path: string, message: string): never {
  throw new DynamisError('INVALID_CONFIG', `Invalid options of ${NAME}: ${path}: ${message}`, {
    details: { problems: [{ path, message }] },
  });
}

/**
 * Validates and resolves the options. Throws INVALID_CONFIG naming the key:
 * a bad shape, an unknown key, both token and tokenFile, an unreadable or
 * short token file, a port above 65535, a non-loopback `listen` without a
 * token, or maxEventClients not below maxConnections (streams would hold
 * every connection).
 */
export function resolveAdminOptions(input: AdminOptionsInput | undefined): AdminOptions {
  const o = parseWithSchema(adminOptionsSchema, input, `options of ${NAME}`);
  const cut = o.listen.lastIndexOf(':');
  const host = o.listen.slice(0, cut).replace(/^\[(.*)\]$/, '$1');
  const port = Number(o.listen.slice(cut + 1));
  if (port > 65535) refuse('listen', 'port must be 0–65535');
  if (o.token !== undefined && o.tokenFile !== undefined) refuse('tokenFile', 'give token or tokenFile, not both');
  let token = o.token;
  if (o.tokenFile !== undefined) {
    try {
      token = readFileSync(o.tokenFile, 'utf8').trim();
    } catch (err) {
      refuse('tokenFile', `cannot read ${o.tokenFile}: ${(err as Error).message}`);
    }
    if (token.length < 16 || token.length > 256) refuse('tokenFile', 'the token must be 16–256 characters');
  }
  if (token === undefined && !isLoopback(host)) refuse('token', `required when listen (${o.listen}) is not a loopback address`);
  const maxEventClients = o.maxEventClients ?? Math.min(4, o.maxConnections - 1);
  if (maxEventClients >= o.maxConnections)
    refuse('maxEventClients', `must be below maxConnections (${o.maxConnections}), so other requests still get a connection`);
  return { host, port, token, maxConnections: o.maxConnections, maxEventClients };
}
