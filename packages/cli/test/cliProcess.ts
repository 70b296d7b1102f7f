import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const MAIN = join(__dirname, '..', 'src', 'main.ts');

/** A `dynamis` child process run from the TypeScript sources (@swc-node/register; no build needed; its nodes inherit the loader). */
export interface CliProcess {
  readonly child: ChildProcess;
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** The exit code, or the signal name. */
  readonly exited: Promise<number | string>;
}

/** Starts `dynamis <args>` in `cwd`; `env` adds variables. */
export function spawnCli(args: readonly string[], cwd: string, env: Readonly<Record<string, string>> = {}): CliProcess {
  const child = spawn(process.execPath, ['-r', require.resolve('@swc-node/register'), MAIN, ...args], {
    cwd,
    env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.check.json'), DYNAMIS_CLIENT_TOKEN: '', DYNAMIS_SECRET: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return { child, stdout: () => out, stderr: () => err, exited };
}

/** Runs `dynamis <args>` in `cwd` to its end. */
export async function runCliProcess(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | string; stdout: string; stderr: string }> {
  const p = spawnCli(args, cwd);
  const code = await p.exited;
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

/** Polls `cond` every 25 ms until it returns a value other than undefined/false; rejects naming `what` after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  cond: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 120_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await cond();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** True while process `pid` exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What `dynamis cluster` printed once its nodes are up: the data dir and each node's id, address and pid. */
export interface ClusterBanner {
  readonly dataDir: string;
  readonly nodes: { id: string; address: string; pid: number }[];
}

/** Parses the banner out of `stdout`; undefined until it is complete. */
export function parseBanner(stdout: string): ClusterBanner | undefined {
  const head = /dynamis cluster: (\d+) nodes up \(N=\d W=\d R=\d\), data in (\S+)/.exec(stdout);
  if (head === null || !stdout.includes('Ctrl-C stops every node')) return undefined;
  const nodes = [...stdout.matchAll(/^ {2}(n\d+) {2}(wss?:\/\/\S+) {2}pid (\d+)$/gm)].map((m) => ({
    id: m[1]!,
    address: m[2]!,
    pid: Number(m[3]),
  }));
  return nodes.length === Number(head[1]) ? { dataDir: head[2]!, nodes } : undefined;
}

/**
 * Starts `dynamis <args>` (a `cluster` command) in `cwd` and resolves once
 * its banner is printed; rejects with its output if it exits first, or after
 * `timeoutMs` (the nodes compile their TypeScript at start: be generous).
 */
export async function startCluster(
  args: readonly string[],
  cwd: string,
  timeoutMs = 240_000,
): Promise<{ cluster: CliProcess; banner: ClusterBanner }> {
  const cluster = spawnCli(args, cwd);
  let exitedEarly: number | string | undefined;
  void cluster.exited.then((code) => (exitedEarly = code));
  const banner = await waitFor(
    'the cluster banner',
    () => {
      if (exitedEarly !== undefined) throw new Error(`dynamis cluster exited (${exitedEarly}):\n${cluster.stdout()}\n${cluster.stderr()}`);
      return parseBanner(cluster.stdout());
    },
    timeoutMs,
  );
  return { cluster, banner };
}
