#!/usr/bin/env node
// chaos:real — the real-process chaos runner (README "Real processes"):
//   npm run chaos:real -- --minutes 5 [--seed n] [--out FILE] [--history FILE] [--nodes 5]
//     [--kinds kill,pause,isolate,halves,bridge,skew] [--settle-ms 5000] [--max-skew-ms 2000] [--sloppy]
// Exit 0 when every checker passes (or when namespaces are unavailable: it
// says so and skips), 1 when one fails, 2 for a bad flag, 130 on Ctrl-C.
import { randomInt } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatReport } from './report';
import { runRealChaos, type RealRunOptions } from './runRealChaos';
import { NEMESES, type NemesisKind } from './schedule';

const MAX_MINUTES = 60;

function fail(why: string): never {
  process.stderr.write(`error INVALID_ARGUMENT: ${why}\n`);
  process.exit(2);
}

function number(name: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) fail(`--${name} must be a number in [${min}, ${max}], got ${raw}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      history: { type: 'string' },
      nodes: { type: 'string' },
      kinds: { type: 'string' },
      'settle-ms': { type: 'string' },
      'max-skew-ms': { type: 'string' },
      sloppy: { type: 'boolean' },
    },
    strict: true,
  });
  const minutes = number('minutes', values.minutes, 5, 0.25, MAX_MINUTES);
  const seed = Math.trunc(number('seed', values.seed, randomInt(2 ** 31), 0, Number.MAX_SAFE_INTEGER));
  const nodes = Math.trunc(number('nodes', values.nodes, 5, 3, 9));
  const settleAfterInfoMs = number('settle-ms', values['settle-ms'], 5_000, 0, 60_000);
  const maxSkewMs = number('max-skew-ms', values['max-skew-ms'], 2_000, 0, 50_000);
  const kinds = (values.kinds ?? NEMESES.join(',')).split(',').filter((k) => k !== '');
  const unknown = kinds.filter((k) => !(NEMESES as readonly string[]).includes(k));
  if (unknown.length > 0) fail(`--kinds: unknown ${unknown.join(', ')} (known: ${NEMESES.join(', ')})`);
  const serverMain = join(dirname(require.resolve('@dynamis/server')), 'main.js');
  let onSignal: () => void = () => undefined;
  const abort = new Promise<void>((resolve) => (onSignal = resolve));
  let signalled = false;
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.on(sig, () => {
      if (signalled) {
        // The exit handler of runRealChaos kills the nodes and removes the namespaces synchronously.
        process.stderr.write(`${sig} again: exiting now\n`);
        process.exit(130);
      }
      signalled = true;
      process.stderr.write(`${sig}: stopping the run and cleaning up (again to exit at once)\n`);
      onSignal();
    });
  const options: RealRunOptions = {
    seed,
    nodes,
    loadMs: Math.round(minutes * 60_000),
    kinds: kinds as NemesisKind[],
    maxSkewMs,
    sloppyQuorum: values.sloppy ?? false,
    workload: { processes: 10, keysPerProcess: 20, thinkMs: 20, settleAfterInfoMs },
    convergeMs: 180_000,
    historyFile: values.history,
    command: (file) => ({ argv: [process.execPath, serverMain, '--config', file], env: {}, cwd: process.cwd() }),
    log: (line) => process.stdout.write(`${line}\n`),
    abort,
  };
  const startedIso = new Date().toISOString();
  const result = await runRealChaos(options).catch((err: Error) => {
    process.stderr.write(`run failed: ${err.message}\n`);
    process.exit(err.message === 'aborted' ? 130 : 1);
  });
  // The exact command, with the seed drawn when none was given.
  const args = process.argv.slice(2);
  const command = `npm run chaos:real -- ${[...args, ...(values.seed === undefined ? ['--seed', String(seed)] : [])].join(' ')}`;
  const report = formatReport(result, options, command, startedIso);
  process.stdout.write(`\n${report}`);
  if (values.out !== undefined) writeFileSync(values.out, report);
  process.exit(result.ok ? 0 : 1);
}

void main();
