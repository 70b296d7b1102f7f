#!/usr/bin/env node
// The custom store as processes (the simulated run is simulated.ts, run by the
// tests: @dynamis/testkit loads jest's globals, so it runs under jest):
//   main processes         three node processes over WebSockets, driven with the client
//   main node <id> <port> <seeds> <dataDir>   one node (what `processes` spawns); env CUSTOM_STORE_SECRET, CUSTOM_STORE_TOKEN
import { runNodeProcess } from './nodeProcess';
import { runProcesses } from './processes';

const USAGE = 'usage: main processes | main node <id> <port> <seeds> <dataDir>';
const print = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  if (command === 'processes' && args.length === 0) {
    await runProcesses(__filename, print);
    return 0;
  }
  if (command === 'node' && args.length === 4) {
    const [id, port, seeds, dataDir] = args as [string, string, string, string];
    const secret = process.env['CUSTOM_STORE_SECRET'];
    const clientToken = process.env['CUSTOM_STORE_TOKEN'];
    if (secret === undefined || clientToken === undefined) return usage();
    const all = seeds.split(',');
    await runNodeProcess({ id, port: Number(port), seeds: all, dataDir, secret, clientToken }, all.length, print);
    return 0;
  }
  return usage();
}

function usage(): number {
  process.stderr.write(`${USAGE}\n`);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
    process.exitCode = 1;
  },
);
