#!/usr/bin/env node
// A Dynamis node in this process with an interactive shell. Reads commands
// from stdin (a terminal or a pipe) and exits on 'quit' or end of input.
import { createInterface } from 'node:readline';
import { runCommand, HELP } from './shell';
import { startSingleNode } from './singleNode';

async function main(): Promise<void> {
  const node = await startSingleNode({ log: { level: 'warn' } });
  const interactive = process.stdin.isTTY === true;
  process.stdout.write(`Dynamis single node '${node.config.nodeId}' on ${node.plugins.map((p) => p.name).join(', ')}\n${HELP}\n`);
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: interactive ? 'dynamis> ' : '' });
  rl.prompt();
  for await (const line of rl) {
    const out = await runCommand(node, line);
    if (out === 'quit') break;
    if (out !== '') process.stdout.write(out + '\n');
    rl.prompt();
  }
  rl.close();
  await node.stop();
  process.stdout.write('stopped\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${String((err as Error).stack ?? err)}\n`);
  process.exit(1);
});
