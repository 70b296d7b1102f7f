import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DynamisClient } from '@dynamis/client';

const IDS = ['n1', 'n2', 'n3'] as const;
/** Longest the demo waits for a node to print a line it expects (a generous deadline for a loaded machine). */
const STEP_MS = 120_000;

interface Child {
  readonly proc: ChildProcess;
  readonly lines: string[];
  readonly waiters: (() => void)[];
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves with the first line of `child` matching `re` (already printed or to come); rejects after STEP_MS or if it exits first. */
function line(child: Child, re: RegExp, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${what}' within ${STEP_MS} ms; printed:\n${child.lines.join('\n')}`)), STEP_MS);
    const check = (): boolean => {
      const hit = child.lines.find((l) => re.test(l));
      if (hit === undefined) {
        if (child.proc.exitCode !== null) reject(new Error(`the node exited (${child.proc.exitCode}) before '${what}'`));
        return false;
      }
      clearTimeout(timer);
      resolve(hit);
      return true;
    };
    if (!check()) child.waiters.push(() => void check());
  });
}

/** Starts this file's program (main) as a node process. */
function spawnNode(main: string, args: string[], env: NodeJS.ProcessEnv): Child {
  const proc = spawn(process.execPath, [...process.execArgv, main, 'node', ...args], { env, stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const child: Child = { proc, lines: [], waiters: [] };
  createInterface({ input: proc.stdout! }).on('line', (l) => {
    child.lines.push(l);
    for (const w of child.waiters.splice(0)) w();
  });
  proc.once('exit', () => {
    for (const w of child.waiters.splice(0)) w();
  });
  return child;
}

/**
 * The store as three node processes (the `node` command of `main`) on
 * 127.0.0.1 over transport-ws, each with its LSM data in a temporary
 * directory: waits until each sees all three up, writes and reads through
 * the client on different nodes, then stops every node with SIGTERM and
 * checks each stopped cleanly (exit code 0). Always kills what it started.
 */
export async function runProcesses(main: string, print: (line: string) => void): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'dynamis-custom-store-'));
  const ports = await Promise.all(IDS.map(() => freePort()));
  const seeds = IDS.map((id, i) => `${id}@127.0.0.1:${ports[i]!}`);
  const env = { ...process.env, CUSTOM_STORE_SECRET: randomBytes(24).toString('hex'), CUSTOM_STORE_TOKEN: randomBytes(24).toString('hex') };
  const children = IDS.map((id, i) => spawnNode(main, [id, String(ports[i]), seeds.join(','), join(root, id)], env));
  let client: DynamisClient | undefined;
  try {
    for (const [i, id] of IDS.entries()) print((await line(children[i]!, /^ready /, `ready ${id}`)).replace(/^ready/, 'started'));
    const views = await Promise.all(children.map((c, i) => line(c, /^members /, `${IDS[i]!} sees 3 members up`)));
    print(`members (n1's view) ${views[0]!.slice('members '.length)}`);
    client = await DynamisClient.connect({ nodes: [`ws://127.0.0.1:${ports[0]!}`], token: env.CUSTOM_STORE_TOKEN, timeoutMs: 10_000 });
    const written = await client.put('greeting', Buffer.from('hello from three processes'));
    print(`put greeting via n1 ok (acks ${written.acks})`);
    await client.close();
    client = await DynamisClient.connect({ nodes: [`ws://127.0.0.1:${ports[2]!}`], token: env.CUSTOM_STORE_TOKEN, timeoutMs: 10_000 });
    const read = await client.get('greeting');
    print(`get greeting via n3 -> ${read.values.map((v) => Buffer.from(v).toString()).join(' | ')}`);
    await client.close();
    client = undefined;
    const exits = children.map(
      (c) => new Promise<number | null>((resolve) => (c.proc.exitCode !== null ? resolve(c.proc.exitCode) : c.proc.once('exit', resolve))),
    );
    for (const c of children) c.proc.kill('SIGTERM');
    const codes = await Promise.all(exits);
    for (const [i, c] of children.entries()) await line(c, /^stopped /, `stopped ${IDS[i]!}`);
    if (codes.some((c) => c !== 0)) throw new Error(`a node did not exit cleanly: exit codes ${codes.join(', ')}`);
    print(`stopped ${IDS.join(', ')} (exit codes ${codes.join(', ')})`);
  } finally {
    await client?.close().catch(() => undefined);
    for (const c of children) if (c.proc.exitCode === null && c.proc.signalCode === null) c.proc.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
}
