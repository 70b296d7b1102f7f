import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');
const MAIN = join(__dirname, '..', 'src', 'main.ts');
const DEADLINE_MS = 30_000;

/** Runs the shell (`npm run shell`'s main) from its TypeScript sources with `input` piped to stdin; resolves once it exits by itself. */
function runShell(input: string): Promise<{ code: number | string; out: string; err: string }> {
  const child = spawn(process.execPath, ['-r', '@swc-node/register', MAIN], {
    cwd: ROOT,
    env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.check.json') },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  child.stdin.end(input);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the shell did not exit within ${DEADLINE_MS} ms after its input ended:\n${out}\n${err}`));
    }, DEADLINE_MS);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal ?? 'unknown', out, err });
    });
  });
}

describe('the single-node shell driven through a pipe', () => {
  it('answers each line in order and exits 0 at the end of its input', async () => {
    const input = [
      'put version release 2',
      'get version',
      'put k',
      'put e ""',
      'get e',
      'put --ttl 60000 spaced   a  b ',
      'get spaced',
      'get',
      'scan',
      'stats',
      'del version',
      'get version',
      '',
    ].join('\n');
    const { code, out, err } = await runShell(input);
    expect({ code, err }).toEqual({ code: 0, err: '' });
    const answers = out.slice(out.indexOf('  quit ')).split('\n').slice(4); // after the banner and help
    expect(answers).toEqual([
      'ok',
      'release 2',
      'usage: put [--ttl <ms>] <key> <value>',
      'ok',
      '""',
      'ok',
      '"a  b "',
      'usage: get <key>',
      'e ""',
      'spaced "a  b "',
      'version release 2',
      'engine memory',
      expect.stringMatching(/^approximateBytes \d+$/),
      ...Array.from({ length: answers.length - 17 }, () => expect.stringMatching(/^\w+ \d+$/)),
      'ok',
      '(not found)',
      'stopped',
      '',
    ]);
  });
});
