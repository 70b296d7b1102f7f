#!/usr/bin/env node
// dynamis: the command line of Dynamis (program.ts, README.md). Exit codes:
// 0 ok, 1 not found (get), 2 usage, 3 error; `start` and `cluster` run until
// SIGINT/SIGTERM and then exit after stopping their node(s).
import { runCli } from './program';

const io = {
  out: (text: string) => void process.stdout.write(text),
  err: (text: string) => void process.stderr.write(text),
  errIsTty: process.stderr.isTTY === true,
  env: process.env,
  cwd: process.cwd(),
  exit: (code: number) => process.exit(code),
  // Run from the sources (tests: node -r @swc-node/register main.ts) the nodes inherit the same loader.
  self: [process.execPath, ...process.execArgv, __filename] as [string, ...string[]],
};

const argv = process.argv.slice(2);
void runCli(argv, io).then((outcome) => {
  if (outcome === 'running') return;
  // A node that failed to start may still hold handles (a half-started plugin's timers or sockets): like
  // dynamis-server, `start` and `cluster` end the process at once (stdout and stderr are synchronous on Linux pipes).
  if (argv[0] === 'start' || argv[0] === 'cluster') process.exit(outcome);
  process.exitCode = outcome;
});
