// Runs a TypeScript child script of this directory in a fresh Node process
// (through @swc-node/register, as the packages' sources run in tests).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

export interface ChildResult {
  readonly code: number | null;
  readonly out: string;
  readonly err: string;
}

/**
 * Runs `node -r @swc-node/register test/<script> ...args` and resolves with
 * its exit code and output once it exits by itself. Rejects (after killing
 * it) if it is still running after `deadlineMs`: a generous bound for a hang,
 * not a timing assertion.
 */
export function runChild(script: string, args: readonly string[], deadlineMs = 60_000): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, script), ...args], {
      cwd: ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.check.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not exit by itself within ${deadlineMs} ms: ${out} ${err}`));
    }, deadlineMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}
