import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const MAIN = join(__dirname, '..', 'src', 'main.ts');

export const SECRET = 'it-cluster-secret-0123456789';
export const CLIENT_TOKEN = 'it-client-token-0123456789';

/** A `dynamis-server` child process, run from the TypeScript sources (via @swc-node/register with the repo's path mapping: no build needed). */
export interface ServerProcess {
  readonly child: ChildProcess;
  readonly address: string;
  /** Everything it printed so far. */
  readonly stdout: () => string;
  readonly stderr: () => string;
  /** Resolves with the exit code (or the signal name) once it exited. */
  readonly exited: Promise<number | string>;
  /** Kills it if still running and removes its directory (unless the caller gave one). */
  dispose(): Promise<void>;
}

/**
 * Writes `config` to a JSON file in `dir` (default: a fresh temporary
 * directory, removed by dispose) and starts the server on it with `args`, the
 * client token in env DYNAMIS_CLIENT_TOKEN (`env` adds or overrides
 * variables); its dataDir is `dir`/data. Resolves
 * once it prints its address; rejects with its output if it exits or stays
 * silent for `timeoutMs`.
 */
export function startServerProcess(
  config: Record<string, unknown>,
  args: string[] = [],
  dir?: string,
  timeoutMs = 30_000,
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<ServerProcess> {
  const owned = dir === undefined;
  const root = dir ?? tempDir();
  const file = join(root, 'node.json');
  writeFileSync(file, JSON.stringify({ dataDir: join(root, 'data'), secret: SECRET, ...config }));
  const child = spawn(process.execPath, ['-r', '@swc-node/register', MAIN, '--config', file, ...args], {
    cwd: ROOT,
    env: {
      ...process.env,
      SWC_NODE_PROJECT: join(ROOT, 'tsconfig.check.json'),
      DYNAMIS_CLIENT_TOKEN: CLIENT_TOKEN,
      DYNAMIS_SECRET: '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const dispose = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    if (owned) rmSync(root, { recursive: true, force: true });
  };
  return new Promise<ServerProcess>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => fail(`no address after ${timeoutMs} ms`), timeoutMs);
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void dispose().then(() => reject(new Error(`server process: ${why}\nstdout:\n${out}\nstderr:\n${err}`)));
    };
    void exited.then((code) => fail(`exited (${code}) before listening`));
    child.stdout!.on('data', () => {
      const m = /listening on (wss?:\/\/\S+)/.exec(out);
      if (m === null || settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ child, address: m[1]!, stdout: () => out, stderr: () => err, exited, dispose });
    });
  });
}

/** A fresh temporary directory; the caller removes it. */
export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'dynamis-server-'));
}
