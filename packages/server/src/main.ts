#!/usr/bin/env node
// dynamis-server: a Dynamis node process. Reads a JSON config file and/or
// flags (see cli.ts, README.md), prints `dynamis node <id> listening on <address>`
// on stdout once it serves, and on SIGTERM/SIGINT stops gracefully and exits 0
// (runServer.ts). Exit 1 on any failure, with `error CODE: message`.
import { reportError, runServer } from './runServer';

runServer(process.argv.slice(2)).catch((err: unknown) => {
  reportError(err);
  process.exit(1);
});
