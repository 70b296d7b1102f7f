import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseBanner, waitFor } from './cliProcess';
import { processesIn } from './processesIn';

/**
 * The README's quick start as a user runs it, on a fresh clone of this
 * repository's HEAD commit: `npm ci`, `npm start` (a 3-node cluster), then
 * `npx dynamis put`/`get` from another "terminal" in the clone, then Ctrl-C
 * (SIGINT to npm start's process group, as a terminal sends it) — and no
 * process of the clone is left. Takes minutes: `npm run test:fresh-clone`
 * (also part of `npm run test:slow`). Needs git, and npm's cache or the
 * registry for `npm ci`. Prints each step's duration.
 */
const root = join(__dirname, '../../..');
const work = mkdtempSync(join(tmpdir(), 'dynamis-fresh-clone-'));
const clone = join(work, 'dynamis');
const durations: string[] = [];
let cluster: ChildProcess | undefined;

/** A user's environment: none of the variables npm or this test run set (npm_*, DYNAMIS_*, jest's). */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => !/^(npm_|DYNAMIS_|JEST_)/i.test(k) && k !== 'NODE_ENV' && k !== 'INIT_CWD'),
);

async function step<T>(what: string, work: () => T | Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    durations.push(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

/** Runs `command args` in the clone to its end; throws with its output unless it exits 0. */
function run(command: string, args: readonly string[], cwd = clone): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve(out) : reject(new Error(`${command} ${args.join(' ')}: exit ${code ?? signal}\n${out.slice(-4000)}\n${err}`)),
    );
  });
}

afterAll(() => {
  if (cluster?.pid !== undefined && cluster.exitCode === null && cluster.signalCode === null) process.kill(-cluster.pid, 'SIGKILL');
  for (const p of processesIn(clone)) process.kill(p.pid, 'SIGKILL');
  rmSync(work, { recursive: true, force: true });
  console.info(`fresh clone, step durations:\n  ${durations.join('\n  ')}`);
});

describe('a fresh clone, as a user runs it', () => {
  it('finds a process by its working directory or command line (the leftover check can fail)', async () => {
    const dir = mkdtempSync(join(work, 'probe-'));
    const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { cwd: dir, stdio: 'ignore' });
    await waitFor('the probe process', () => processesIn(dir).some((p) => p.pid === sleeper.pid));
    sleeper.kill('SIGKILL');
    await waitFor('the probe process gone', () => processesIn(dir).length === 0);
  });

  it('npm ci && npm start brings a 3-node cluster up; dynamis put/get work; Ctrl-C leaves no process behind', async () => {
    const head = spawnSync('git', ['-C', root, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    await step('git clone', () => run('git', ['clone', '--quiet', '--no-local', root, clone], work));
    expect((await run('git', ['rev-parse', 'HEAD'])).trim()).toBe(head);
    await step('npm ci', () => run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund']));

    // npm start in its own process group, as a terminal runs a foreground job.
    const started = Date.now();
    cluster = spawn('npm', ['start'], { cwd: clone, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    cluster.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    cluster.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-8000)));
    let exit: number | string | undefined;
    cluster.once('exit', (code, signal) => (exit = code ?? signal ?? '?'));
    const banner = await waitFor(
      'npm start to print the cluster banner',
      () => {
        if (exit !== undefined) throw new Error(`npm start exited ${exit}:\n${out}\n${err}`);
        return parseBanner(out);
      },
      600_000,
    );
    durations.push(`npm start (build + 3 nodes up): ${((Date.now() - started) / 1000).toFixed(1)} s`);
    expect(banner.nodes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
    expect(banner.dataDir).toBe(join(clone, 'data'));

    const put = await step('npx dynamis put', () => run('npx', ['dynamis', 'put', 'fresh-clone-key', 'fresh-clone-value']));
    expect(put).toMatch(/^ok acks=[23] /);
    const got = await step('npx dynamis get', () => run('npx', ['dynamis', 'get', 'fresh-clone-key']));
    expect(got).toBe('fresh-clone-value\n');

    // Ctrl-C: SIGINT to the whole foreground process group (npm, the supervisor, the nodes).
    const code = await step('Ctrl-C until npm start exits', () => {
      process.kill(-cluster!.pid!, 'SIGINT');
      return waitFor('npm start to exit after SIGINT', () => exit, 120_000);
    });
    console.info(`npm start after Ctrl-C: exit ${code}; its output (end):\n${out.slice(-1500)}\n${err.slice(-1500)}`);
    const left = await step('no process left', async () => {
      try {
        return await waitFor('every process of the clone to end', () => processesIn(clone).length === 0 || undefined, 30_000);
      } catch {
        return processesIn(clone);
      }
    });
    expect(left).toBe(true);
    expect(['SIGINT', 0, 130]).toContain(code); // npm ends on the terminal's SIGINT (a shell shows 130)
    expect(out).toMatch(/\[n1\] stopped[\s\S]*cluster stopped/); // the nodes stopped gracefully, not killed
  }, 1_800_000);
});
