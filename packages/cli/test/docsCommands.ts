import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig, parsePeerAddresses } from '@dynamis/core';
import { buildConfig, parseCliArgs, plugins, resolveServerConfig } from '@dynamis/server';
import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../src/program';
import { recordingIo } from './recordingIo';
import type { ShellCommand } from './shellCommands';

/**
 * Parses `args` (after `dynamis`) with the real program (program.ts) whose
 * actions are replaced by no-ops, so nothing connects or starts: an unknown
 * command, an unknown option or a missing argument is a problem; `start`'s
 * flags go to @dynamis/server's strict parser, as `dynamis start` does.
 * Resolves with the problem, or undefined when the line parses (`--help` included).
 */
export async function cliProblem(args: readonly string[]): Promise<string | undefined> {
  const io = recordingIo('/');
  const program = buildProgram(io, { value: 0 });
  let startProblem: string | undefined;
  for (const cmd of program.commands as Command[]) {
    if (cmd.name() === 'start') cmd.action((_f: unknown, _o: unknown, c: Command) => void (startProblem = serverProblem(c.args)));
    else cmd.action(() => undefined);
  }
  try {
    await program.parseAsync([...args], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? undefined : `${err.message} (${io.stderr().trim()})`;
    return `${(err as Error).message}`;
  }
  return startProblem;
}

/** `dynamis-server` / `dynamis start` flags through the server's strict parser: the problem, or undefined. */
export function serverProblem(args: readonly string[]): string | undefined {
  try {
    parseCliArgs(args);
    return undefined;
  } catch (err) {
    return (err as Error).message.split('\n\n')[0]; // without the usage text after it
  }
}

/**
 * `dynamis start <args>` as far as it goes without starting: the CLI parse,
 * then the config the flags make through every schema (nodeConfigProblem)
 * and the seeds through core's parser. The secrets come from the
 * environment, as in a deployment. Resolves with the problem, or undefined.
 */
export async function startConfigProblem(args: readonly string[]): Promise<string | undefined> {
  const parse = await cliProblem(['start', ...args]);
  if (parse !== undefined) return parse;
  try {
    const config = buildConfig(undefined, parseCliArgs(args));
    parsePeerAddresses((config.seeds as unknown[] | undefined) ?? []);
    return nodeConfigProblem(JSON.stringify(config));
  } catch (err) {
    return (err as Error).message;
  }
}

/** A node config (JSON text) through the server's option schema, the node's config schema and the plugins' option schemas. */
export function nodeConfigProblem(json: string): string | undefined {
  try {
    const resolved = resolveServerConfig(JSON.parse(json), {
      DYNAMIS_SECRET: 'docs-test-cluster-secret-01',
      DYNAMIS_CLIENT_TOKEN: 'docs-test-client-token-01',
    });
    parseConfig(resolved.node);
    plugins(resolved);
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/**
 * What a documented shell command would do wrong, or undefined: `dynamis …`
 * and `npx dynamis …` (cliProblem), `dynamis-server …`, `npx dynamis-server …`
 * and `node packages/server/dist/main.js …` (serverProblem), `node
 * packages/cli/dist/main.js …` (cliProblem), `npm run X` / `npm start` /
 * `npm test` (X a script of the root package.json, or of the workspace named
 * by -w/--workspace), `node <pkg>/dist/<f>.js` (its source <pkg>/src/<f>.ts
 * exists). Other commands are not checked; `checked` says whether it was.
 */
export async function commandProblem(root: string, c: ShellCommand): Promise<{ checked: boolean; problem?: string }> {
  const [a0, a1, ...rest] = c.argv;
  const cli = a0 === 'dynamis' ? c.argv.slice(1) : a0 === 'npx' && a1 === 'dynamis' ? rest : undefined;
  if (cli !== undefined) return { checked: true, problem: await cliProblem(cli) };
  const server = a0 === 'dynamis-server' ? c.argv.slice(1) : a0 === 'npx' && a1 === 'dynamis-server' ? rest : undefined;
  if (server !== undefined) return { checked: true, problem: serverProblem(server) };
  if (a0 === 'node' && a1 !== undefined && /^(\.\/)?packages\/server\/dist\/main\.js$/.test(a1))
    return { checked: true, problem: serverProblem(rest) };
  if (a0 === 'node' && a1 !== undefined && /^(\.\/)?packages\/cli\/dist\/main\.js$/.test(a1))
    return { checked: true, problem: await cliProblem(rest) };
  if (a0 === 'node' && a1 !== undefined && /\/dist\/.*\.js$/.test(a1)) {
    const source = a1.replace(/^\.\//, '').replace('/dist/', '/src/').replace(/\.js$/, '.ts');
    return { checked: true, ...(existsSync(join(root, source)) ? {} : { problem: `no source ${source} for ${a1}` }) };
  }
  if (a0 === 'npm') return npmProblem(root, c.argv.slice(1));
  return { checked: false };
}

function npmProblem(root: string, args: readonly string[]): { checked: boolean; problem?: string } {
  const [verb, ...rest] = args;
  let dir = '.';
  const words: string[] = [];
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === '-w' || rest[i] === '--workspace') dir = rest[++i] ?? '.';
    else if (!rest[i]!.startsWith('-')) words.push(rest[i]!);
  }
  const script = verb === 'run' || verb === 'run-script' ? words[0] : verb === 'start' || verb === 'test' ? verb : undefined;
  if (script === undefined) return { checked: false };
  const pkgFile = join(root, dir, 'package.json');
  if (!existsSync(pkgFile)) return { checked: true, problem: `no package ${dir}` };
  const scripts = (JSON.parse(readFileSync(pkgFile, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
  return { checked: true, ...(script in scripts ? {} : { problem: `no script '${script}' in ${join(dir, 'package.json')}` }) };
}
