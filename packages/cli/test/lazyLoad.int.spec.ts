import { describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/*
 * `dynamis put|get|status|...` load only the client side: the server (every
 * plugin, the engines), node-forge (certificate generation), pino-pretty and
 * hdr-histogram-js are loaded by the commands that use them (start, cluster
 * --tls, a terminal's logs, bench). Loading them all doubled the start of
 * every command. A child process loads the CLI's program module from the
 * sources and lists what its require cache holds.
 */

const ROOT = join(__dirname, '..', '..', '..');
const PROGRAM = join(__dirname, '..', 'src', 'program.ts');

function loadedBy(script: string): string[] {
  const out = execFileSync(process.execPath, ['-r', require.resolve('@swc-node/register'), '-e', script], {
    cwd: ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.check.json') },
    encoding: 'utf8',
  });
  return JSON.parse(out) as string[];
}

const HEAVY = [
  /\/packages\/server\//,
  /\/packages\/engine-lsm\//,
  /\/packages\/admin\//,
  /\/node_modules\/node-forge\//,
  /\/node_modules\/pino-pretty\//,
  /\/node_modules\/hdr-histogram-js\//,
  /\/node_modules\/prom-client\//,
];

describe('the dynamis CLI loads what a command needs, when it needs it', () => {
  it('building the program (every command registered) loads neither the server nor the heavy libraries', () => {
    const loaded = loadedBy(
      `const { buildProgram } = require(${JSON.stringify(PROGRAM)});
       buildProgram({ out() {}, err() {}, errIsTty: false, env: {}, cwd: process.cwd(), exit() {}, self: [process.execPath] }, { value: 0 });
       process.stdout.write(JSON.stringify(Object.keys(require.cache)));`,
    );
    expect(loaded.some((f) => f.includes('/packages/client/'))).toBe(true); // the probe sees what is loaded
    expect(loaded.filter((f) => HEAVY.some((re) => re.test(f)))).toEqual([]);
  });

  it('`start --help` does load the server (its usage text is the server’s)', () => {
    const loaded = loadedBy(
      `const { buildProgram } = require(${JSON.stringify(PROGRAM)});
       const p = buildProgram({ out() {}, err() {}, errIsTty: false, env: {}, cwd: process.cwd(), exit() {}, self: [process.execPath] }, { value: 0 });
       p.commands.find((c) => c.name() === 'start').helpInformation();
       process.stdout.write(JSON.stringify(Object.keys(require.cache)));`,
    );
    expect(loaded.some((f) => /\/packages\/server\//.test(f))).toBe(true);
  });
});
