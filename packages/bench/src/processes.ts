import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clock } from './env';

/** A child process of the bench: registered so that it is killed when the bench exits, however it exits. */
export interface BenchChild {
  readonly name: string;
  readonly child: ChildProcess;
  /** The last ~16 KiB it printed (stdout and stderr interleaved), for error messages. */
  output(): string;
  /** Resolves with the exit code or signal once it exited. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. Resolves once it exited. */
  stop(graceMs?: number): Promise<void>;
}

const children = new Set<BenchChild>();
const dirs = new Set<string>();
const TAIL_BYTES = 16 * 1024;

/**
 * Spawns `command args` and resolves once its stdout matches `ready` (with
 * the match); rejects, after killing it, if it exits first or stays silent
 * for `timeoutMs`, with its output in the message.
 */
export function spawnReady(
  name: string,
  command: string,
  args: readonly string[],
  ready: RegExp,
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
): Promise<{ proc: BenchChild; match: RegExpExecArray }> {
  const child = spawn(command, [...args], { env: options.env ?? process.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let tail = '';
  let stdout = '';
  const keep = (d: Buffer): void => {
    tail = (tail + d.toString()).slice(-TAIL_BYTES);
  };
  child.stderr!.on('data', keep);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const proc: BenchChild = {
    name,
    child,
    output: () => tail,
    exited,
    stop: async (graceMs = 15_000) => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = clock.setTimer(graceMs, () => child.kill('SIGKILL'));
        await exited;
        timer.cancel();
      }
      children.delete(proc);
    },
  };
  children.add(proc);
  void exited.then(() => children.delete(proc));
  return new Promise((resolve, reject) => {
    let settled = false;
    const fail = (why: string): void => {
      if (settled) return;
      settled = true;
      timer.cancel();
      child.kill('SIGKILL');
      reject(new Error(`${name}: ${why}\n${tail}`));
    };
    const timeoutMs = options.timeoutMs ?? 30_000;
    const timer = clock.setTimer(timeoutMs, () => fail(`not ready after ${timeoutMs} ms`));
    child.once('error', (err) => fail(err.message));
    void exited.then((code) => fail(`exited (${code}) before it was ready`));
    child.stdout!.on('data', (d: Buffer) => {
      keep(d);
      if (settled) return;
      stdout = (stdout + d.toString()).slice(-TAIL_BYTES);
      const match = ready.exec(stdout);
      if (match === null) return;
      settled = true;
      timer.cancel();
      resolve({ proc, match });
    });
  });
}

/** A fresh temporary directory, removed when the bench exits. */
export function benchTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `dynamis-bench-${prefix}-`));
  dirs.add(dir);
  return dir;
}

/** Stops every child still running (SIGTERM, then SIGKILL) and removes the temporary directories. */
export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((c) => c.stop()));
  removeDirs();
}

function removeDirs(): void {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

/**
 * On process exit SIGKILLs every child still running and removes the
 * temporary directories; on SIGINT/SIGTERM does the same and exits 130/143.
 * Call once, at start.
 */
export function installCleanup(): void {
  process.on('exit', () => {
    for (const c of children) c.child.kill('SIGKILL');
    removeDirs();
  });
  const onSignal = (signal: NodeJS.Signals, code: number): void => {
    process.stderr.write(`\n${signal}: stopping ${children.size} child process(es)\n`);
    process.exit(code);
  };
  process.once('SIGINT', () => onSignal('SIGINT', 130));
  process.once('SIGTERM', () => onSignal('SIGTERM', 143));
}

/** A port of 127.0.0.1 that was free a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}
