import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

/** Runs closeExit.ts in a fresh process; resolves with its exit code and output. */
function run(dir: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'closeExit.ts'), dir], {
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
      reject(new Error(`the process did not exit by itself: ${out} ${err}`));
    }, 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('engine-lsm background thread in a real process', () => {
  it('close() resolves with only the thread left to wait for, and the process then exits by itself', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'dynamis-bg-exit-'));
    try {
      const { code, out, err } = await run(join(tmp, 'db'));
      expect(err).toBe('');
      expect(code).toBe(0);
      const [word, compactions] = out.trim().split(' ');
      expect(word).toBe('closed');
      expect(Number(compactions)).toBeGreaterThan(0);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 90_000);
});
