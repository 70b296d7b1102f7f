import { describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { CLIENT_TOKEN, startServerProcess } from './serverProcess';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * Regression (issue 8): a script awaiting client.get() while its node is down
 * exited silently with code 0 during the retry backoff (the Clock's timers are
 * unref'd and no socket was open). The pending request must keep it alive until
 * it settles: here, with the typed UNAVAILABLE error after every retry.
 */
describe('a plain script awaiting a client request', () => {
  it('stays alive while its node is down and exits 1 with UNAVAILABLE after the retries, not 0 silently', async () => {
    const server = await startServerProcess({ nodeId: 'exit-node', log: { level: 'warn' } }, ['--port', '0']);
    const child = spawn(process.execPath, ['-r', '@swc-node/register', join(__dirname, 'pendingGet.ts'), server.address], {
      cwd: ROOT,
      env: { ...process.env, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.check.json'), DYNAMIS_CLIENT_TOKEN: CLIENT_TOKEN },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => out.includes('connected\n') && resolve());
        void exited.then((code) => reject(new Error(`script exited (${code}) before connecting:\n${out}\n${err}`)));
      });
      server.child.kill('SIGKILL');
      await server.exited;
      child.stdin.end('go\n');
      const code = await exited;
      expect({ code, out, err }).toMatchObject({ code: 1, out: 'connected\n' });
      expect(err).toMatch(/^error UNAVAILABLE: get 'k' failed on every node tried/);
      // One attempt plus 3 retries, each on the stopped node.
      // One attempt plus 3 retries, each on the stopped node, which the message names once.
      expect(err).toMatch(/\nattempts 4\n$/);
      expect(err.split(server.address).length - 1).toBe(1);
      expect(err).toContain(`${server.address} (4 attempts: `);
      expect(err).toContain('cannot connect: '); // the first attempt may instead find the connection just lost
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await server.dispose();
    }
  });
});
