import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const MAIN = join(__dirname, '..', 'src', 'main.ts');
const DEADLINE_MS = 300_000;

/** Runs `main.ts <args>` from its TypeScript sources; resolves once it exits by itself (SIGKILL after a generous deadline). */
function runMain(args: string[]): Promise<{ code: number | string; out: string; err: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', MAIN, ...args], {
    cwd: ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.check.json') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`main ${args.join(' ')} did not exit within ${DEADLINE_MS} ms:\n${out}\n${err}`));
    }, DEADLINE_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? 'unknown', out, err });
    });
  });
}

describe('the custom store as three node processes over WebSockets', () => {
  it(
    'starts three nodes, sees them all up, puts via n1 and gets via n3 with the client, stops every node cleanly, exits 0',
    async () => {
      const { code, out, err } = await runMain(['processes']);
      expect({ code, err: code === 0 ? '' : err }).toEqual({ code: 0, err: '' });
      expect(out.split('\n')).toEqual([
        expect.stringMatching(/^started n1 ws:\/\/127\.0\.0\.1:\d+$/),
        expect.stringMatching(/^started n2 ws:\/\/127\.0\.0\.1:\d+$/),
        expect.stringMatching(/^started n3 ws:\/\/127\.0\.0\.1:\d+$/),
        "members (n1's view) n1 up, n2 up, n3 up",
        expect.stringMatching(/^put greeting via n1 ok \(acks [23]\)$/),
        'get greeting via n3 -> hello from three processes',
        'stopped n1, n2, n3 (exit codes 0, 0, 0)',
        '',
      ]);
    },
    DEADLINE_MS + 10_000,
  );

  it(
    'refuses a bad command line with its usage and exit code 2',
    async () => {
      const { code, err } = await runMain(['frobnicate']);
      expect(code).toBe(2);
      expect(err).toMatch(/^usage: main processes \| main node/);
    },
    DEADLINE_MS,
  );
});
