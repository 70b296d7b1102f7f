#!/usr/bin/env node
// dynamis-server: a Dynamis node process. Reads a JSON config file and/or
// flags (see cli.ts, README.md), prints `dynamis node <id> listening on <address>`
// on stdout once it serves, and on SIGTERM/SIGINT stops gracefully and exits 0.
// A second signal at least 1 s into the shutdown exits 1 at once (sooner, it is
// taken for the same signal delivered twice, as npm or timeout(1) forwarding
// to a process group do). Exit 1 on any failure, with `error CODE: message`.
import { DynamisError, isDynamisError, SystemClock } from '@dynamis/core';
import { readFileSync } from 'node:fs';
import { buildConfig, parseCliArgs, USAGE } from './cli';
import { startServer, type DynamisServer } from './startServer';

async function main(): Promise<void> {
  const args = parseCliArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const fileText = args.config === undefined ? undefined : readConfigFile(args.config);
  const server = await startServer(buildConfig(fileText, args), { env: process.env });
  process.stdout.write(`dynamis node ${server.node.config.nodeId} listening on ${server.address}\n`);
  if (server.adminUrl !== undefined) process.stdout.write(`dynamis node ${server.node.config.nodeId} admin on ${server.adminUrl}\n`);
  onSignals(server);
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

function onSignals(server: DynamisServer): void {
  const clock = new SystemClock();
  let since: number | undefined;
  const shutdown = (signal: NodeJS.Signals): void => {
    if (since !== undefined) {
      if (clock.monotonic() - since < DUPLICATE_SIGNAL_MS) return;
      process.stderr.write(`${signal} again: exiting without waiting\n`);
      process.exit(1);
    }
    since = clock.monotonic();
    process.stdout.write(`${signal}: shutting down\n`);
    server.stop().then(
      () => {
        process.stdout.write('stopped\n');
        process.exit(0);
      },
      (err: unknown) => {
        report(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

function report(err: unknown): void {
  const code = isDynamisError(err) ? err.code : 'ERROR';
  process.stderr.write(`error ${code}: ${(err as Error).message ?? String(err)}\n`);
}

main().catch((err: unknown) => {
  report(err);
  process.exit(1);
});
