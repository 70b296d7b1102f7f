import type { Command } from 'commander';
import type { ConnectionOptions } from '../connection';
import { parseCount } from '../format';

/** Adds the options of every command that talks to a cluster (README "Connecting"). */
export function withConnectionOptions(cmd: Command): Command {
  return cmd
    .option('--connect <host:port>', 'a node to talk to, repeatable (default: every node of the cluster in --data-dir)', collect)
    .option('--secret-file <path>', 'file holding the client token (default: env DYNAMIS_CLIENT_TOKEN, then <data-dir>/client-token)')
    .option('--data-dir <dir>', 'the local cluster started by `dynamis cluster` / `npm start`', './data')
    .option('--client-id <id>', 'client id the token belongs to', 'default')
    .option('--timeout-ms <ms>', 'timeout of one attempt of the request', '5000')
    .option('--ca <file>', 'CA certificate (PEM) of a TLS cluster: talk wss to every node and verify it against this CA');
}

/** The connection options of a parsed command; INVALID_ARGUMENT for a bad --timeout-ms. */
export function connectionOptions(opts: Record<string, unknown>): ConnectionOptions {
  return {
    connect: opts.connect as string[] | undefined,
    secretFile: opts.secretFile as string | undefined,
    dataDir: opts.dataDir as string,
    clientId: opts.clientId as string,
    timeoutMs: parseCount('--timeout-ms', String(opts.timeoutMs), 1),
    ...(typeof opts.ca === 'string' ? { ca: opts.ca } : {}),
  };
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
