import { describe, expect, it } from '@jest/globals';
import { USAGE } from '@dynamis/server';
import type { Command } from 'commander';
import { buildProgram, runCli } from './program';
import { recordingIo } from '../test/recordingIo';

const CONNECTION = ['--connect', '--secret-file', '--data-dir', '--client-id', '--timeout-ms', '--ca'];

/** The options each command must offer (README "Commands"); the test checks both directions. */
const EXPECTED: Record<string, string[]> = {
  cluster: ['--nodes', '--data-dir', '--ephemeral', '--host', '--base-port', '--resolver', '--log-level', '--stop-timeout-ms', '--tls'],
  put: ['--ttl', '--consistency', '--context', '--json', ...CONNECTION],
  get: ['--consistency', '--json', ...CONNECTION],
  del: ['--consistency', '--context', '--json', ...CONNECTION],
  status: ['--json', ...CONNECTION],
  members: ['--json', ...CONNECTION],
  // scan, batch, ring, hints, repair (issue 12)
  scan: ['--prefix', '--limit', '--cursor', '--json', ...CONNECTION],
  batch: ['--consistency', '--json', ...CONNECTION],
  ring: ['--json', ...CONNECTION],
  hints: ['--json', ...CONNECTION],
  leave: ['--no-wait', '--json', ...CONNECTION],
  repair: ['--partition', '--json', ...CONNECTION],
  bench: [
    '--workload',
    '--records',
    '--operations',
    '--concurrency',
    '--value-size',
    '--distribution',
    '--seed',
    '--consistency',
    '--json',
    '--no-load',
    ...CONNECTION,
  ],
  experiment: ['--out', '--log-level', '--render'],
};

function commands(): Command[] {
  return buildProgram(recordingIo('/'), { value: 0 }).commands as Command[];
}

async function help(argv: string[]): Promise<{ code: unknown; text: string }> {
  const io = recordingIo('/');
  const code = await runCli(argv, io);
  return { code, text: io.stdout() };
}

describe('dynamis --help', () => {
  it('lists every command', async () => {
    const { code, text } = await help(['--help']);
    expect(code).toBe(0);
    for (const name of ['start', ...Object.keys(EXPECTED)]) expect(text).toMatch(new RegExp(`^  ${name} `, 'm'));
    expect(
      commands()
        .map((c) => c.name())
        .sort(),
    ).toEqual(['start', ...Object.keys(EXPECTED)].sort());
  });

  it.each(Object.entries(EXPECTED))('%s --help lists exactly its options, each with a description', async (name, flags) => {
    const { code, text } = await help([name, '--help']);
    expect(code).toBe(0);
    for (const flag of [...flags, '--help'])
      expect({ flag, listed: new RegExp(`^  (-[a-z], )?${flag}\\b.* \\S`, 'm').test(text) }).toEqual({ flag, listed: true });
    const cmd = commands().find((c) => c.name() === name)!;
    expect(cmd.options.map((o) => o.long).sort()).toEqual([...flags].sort());
  });

  it('start --help is the node’s usage, named dynamis start (@dynamis/server’s cli.spec checks it lists every flag its parser takes)', async () => {
    const flags = [...USAGE.slice(USAGE.indexOf('Flags')).matchAll(/^\s+(?:-[a-z], )?(--[a-z-]+)/gm)].map((m) => m[1]);
    expect(flags.length).toBeGreaterThan(10);
    for (const argv of [
      ['start', '--help'],
      ['start', '-h'],
      ['help', 'start'],
    ]) {
      const { code, text } = await help(argv);
      expect(code).toBe(0);
      expect(text).toBe(`${USAGE.split('dynamis-server').join('dynamis start')}\n`);
      expect(text).toMatch(/^Usage: dynamis start /);
      for (const flag of flags) expect(text).toContain(flag!);
    }
  });

  it('exits 2 with a message on stderr for an unknown command, an unknown option or a missing argument', async () => {
    for (const argv of [['bogus'], ['get', 'k', '--bogus'], ['put', 'k'], []]) {
      const io = recordingIo('/');
      expect({ argv, code: await runCli(argv, io) }).toEqual({ argv, code: 2 });
      expect(io.stderr() + io.stdout()).not.toBe('');
    }
  });
});
