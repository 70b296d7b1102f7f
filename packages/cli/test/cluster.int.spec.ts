import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminStatusSchema } from '@dynamis/core';
import { runCli } from '../src/program';
import { alive, parseBanner, runCliProcess, spawnCli, waitFor, type CliProcess, type ClusterBanner } from './cliProcess';
import { recordingIo } from './recordingIo';

// One `dynamis cluster --nodes 3 --ephemeral` (three real node processes) for every case of this file. The client
// commands run in-process through runCli (real sockets to the real nodes), one of them as a process too; the last case
// stops the cluster with SIGINT. Deadlines are generous: the nodes compile their TypeScript at start.
describe('dynamis cluster --nodes 3 --ephemeral, and the client commands against it', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dynamis-cli-it-'));
  let cluster: CliProcess;
  let banner: ClusterBanner;
  let dirFlag: string[];

  /** `dynamis <args> --data-dir <the cluster's>` in-process: exit code, stdout, stderr. */
  const dynamis = async (...args: string[]) => {
    const io = recordingIo(cwd, {});
    const code = await runCli([...args, ...dirFlag], io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  };

  beforeAll(async () => {
    cluster = spawnCli(['cluster', '--nodes', '3', '--ephemeral'], cwd);
    void cluster.exited.then((code) => (exitedEarly = code));
    let exitedEarly: number | string | undefined;
    banner = await waitFor(
      'the cluster banner',
      () => {
        if (exitedEarly !== undefined)
          throw new Error(`dynamis cluster exited (${exitedEarly}):\n${cluster.stdout()}\n${cluster.stderr()}`);
        return parseBanner(cluster.stdout());
      },
      240_000,
    );
    dirFlag = ['--data-dir', banner.dataDir];
  }, 300_000);

  afterAll(async () => {
    if (cluster.child.exitCode === null && cluster.child.signalCode === null) cluster.child.kill('SIGKILL');
    for (const node of banner?.nodes ?? []) if (alive(node.pid)) process.kill(node.pid, 'SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
    if (banner !== undefined) rmSync(banner.dataDir, { recursive: true, force: true });
  });

  it('prints its nodes, their pids and how to talk to it', () => {
    expect(banner.nodes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
    expect(new Set(banner.nodes.map((n) => n.address)).size).toBe(3);
    for (const n of banner.nodes) expect(n.address).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
    for (const n of banner.nodes) expect(alive(n.pid)).toBe(true);
    expect(cluster.stdout()).toContain('(N=3 W=2 R=2)');
    expect(cluster.stdout()).toContain(`npx dynamis put greeting hello --data-dir ${banner.dataDir}`);
    expect(existsSync(join(banner.dataDir, 'cluster.json'))).toBe(true);
  });

  it('put, get and del with the documented output and exit codes', async () => {
    const put = await dynamis('put', 'greeting', 'hello world');
    expect(put).toMatchObject({ code: 0, stderr: '' });
    expect(put.stdout).toMatch(/^ok acks=2 context=[A-Za-z0-9_-]+\n$/);
    expect(await dynamis('get', 'greeting')).toMatchObject({
      code: 0,
      stdout: 'hello world\n',
      stderr: expect.stringMatching(/^context: \S+\n$/),
    });
    expect(await dynamis('get', 'greeting', '--consistency', 'all')).toMatchObject({ code: 0, stdout: 'hello world\n' });
    const json = await dynamis('get', 'greeting', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ found: true, values: ['hello world'], siblings: [{ value: 'hello world' }] });

    expect(await dynamis('get', 'never-written')).toEqual({ code: 1, stdout: '', stderr: 'not found: never-written\n' });
    expect(JSON.parse((await dynamis('get', 'never-written', '--json')).stdout)).toMatchObject({ found: false, values: [] });

    const del = await dynamis('del', 'greeting');
    expect(del.code).toBe(0);
    expect(del.stdout).toMatch(/^ok acks=2 context=\S+\n$/);
    expect(await dynamis('get', 'greeting')).toMatchObject({ code: 1, stdout: '' });

    expect((await dynamis('put', 'session', 'abc', '--ttl', '600000', '--consistency', 'all')).stdout).toMatch(/^ok acks=3 /);
    const ttl = JSON.parse((await dynamis('get', 'session', '--json')).stdout) as { siblings: { expiresAt?: number }[] };
    expect(ttl.siblings[0]!.expiresAt).toEqual(expect.any(Number));
  }, 120_000);

  it('shows siblings of concurrent writes, one per line, and a put with their context resolves them', async () => {
    expect((await dynamis('put', 'color', 'red')).code).toBe(0);
    expect((await dynamis('put', 'color', 'blue')).code).toBe(0);
    const both = await dynamis('get', 'color');
    expect(both.code).toBe(0);
    expect(both.stdout.split('\n').filter(Boolean).sort()).toEqual(['blue', 'red']);
    expect(both.stderr).toContain('2 siblings');
    const context = /context: (\S+)/.exec(both.stderr)![1]!;
    expect((await dynamis('put', 'color', 'purple', '--context', context)).code).toBe(0);
    expect(await dynamis('get', 'color')).toMatchObject({ code: 0, stdout: 'purple\n' });
  }, 120_000);

  it('exits 2 on bad input without sending anything, 3 when no node can be reached', async () => {
    for (const args of [
      ['put', 'k', 'v', '--ttl', 'soon'],
      ['get', 'k', '--consistency', 'most'],
      ['put', 'k', 'v', '--context', 'not/base64'],
      ['get', ''],
    ]) {
      const r = await dynamis(...args);
      expect({ args, code: r.code, stdout: r.stdout }).toEqual({ args, code: 2, stdout: '' });
      expect(r.stderr).toMatch(/^error (INVALID_ARGUMENT|INVALID_KEY): /);
    }
    const token = join(cwd, 'token');
    writeFileSync(token, 'a-token-nobody-knows-000\n');
    const refused = await dynamis('get', 'k', '--connect', banner.nodes[0]!.address, '--secret-file', token);
    expect(refused).toMatchObject({ code: 3, stderr: expect.stringMatching(/^error UNAUTHORIZED: /) });
    const nowhere = await dynamis('get', 'k', '--connect', '127.0.0.1:1', '--timeout-ms', '2000');
    expect(nowhere).toMatchObject({ code: 3, stdout: '', stderr: expect.stringMatching(/^error UNAVAILABLE: /) });
  }, 120_000);

  it('status --json parses and every node lists 3 members up; members and status print tables', async () => {
    const statuses = await waitFor('3 members up on every node', async () => {
      const r = await dynamis('status', '--json');
      const parsed = JSON.parse(r.stdout) as { nodes: { reachable: boolean; status?: unknown }[] };
      if (r.code !== 0 || !parsed.nodes.every((n) => n.reachable)) return undefined;
      const all = parsed.nodes.map((n) => adminStatusSchema.parse(n.status));
      return all.every((s) => s.members.filter((m) => m.status === 'up').length === 3) ? all : undefined;
    });
    expect(statuses.map((s) => s.nodeId)).toEqual(['n1', 'n2', 'n3']);
    for (const s of statuses) {
      expect(s.members.map((m) => m.id)).toEqual(['n1', 'n2', 'n3']);
      expect(s.replication).toEqual({ n: 3, w: 2, r: 2 });
      expect(s.partitions).toMatchObject({ total: 256, replicated: 256 });
      expect(s.engine?.engine).toBe('lsm');
      expect(s.hints).toMatchObject({ total: 0 });
      expect(s.plugins).toEqual(
        expect.arrayContaining(['@dynamis/gossip', '@dynamis/hinted-handoff', '@dynamis/anti-entropy', '@dynamis/conflict-vclock']),
      );
    }
    expect(statuses.reduce((sum, s) => sum + s.partitions!.owned, 0)).toBe(256);
    const table = await dynamis('status');
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NODE +ADDRESS +STATE +MEMBERS UP/);
    expect(table.stdout).toMatch(/^n2 +ws:\/\/127\.0\.0\.1:\d+ +up +3\/3 /m);
    const members = await dynamis('members', '--json');
    expect(JSON.parse(members.stdout)).toMatchObject({ from: 'n1', members: [{ id: 'n1', status: 'up' }, { id: 'n2' }, { id: 'n3' }] });
    expect((await dynamis('members')).stdout).toMatch(/^ID +ADDRESS +STATUS\nn1 +127\.0\.0\.1:\d+ +up\n/);
    // The rebalancer (composed with gossip) reports progress; a fresh cluster settles (nothing left to receive).
    await waitFor('every node settled', async () => {
      const r = await dynamis('status', '--json');
      const parsed = JSON.parse(r.stdout) as { nodes: { status?: unknown }[] };
      const all = parsed.nodes.map((n) => adminStatusSchema.parse(n.status));
      return all.every((s) => s.rebalance?.settled === true && s.rebalance.pending + s.rebalance.streaming === 0) ? all : undefined;
    });
    expect((await dynamis('status')).stdout).toMatch(/^n1 .* settled$/m);
  }, 180_000);

  it('as a process: stdout, stderr and exit code a script can rely on', async () => {
    expect((await dynamis('put', 'proc', 'from a process test')).code).toBe(0);
    expect(await runCliProcess(['get', 'proc', ...dirFlag], cwd)).toMatchObject({ code: 0, stdout: 'from a process test\n' });
    expect(await runCliProcess(['get', 'absent', ...dirFlag], cwd)).toEqual({ code: 1, stdout: '', stderr: 'not found: absent\n' });
  }, 120_000);

  it('SIGINT stops every node cleanly: the command exits 0 and no node process is left', async () => {
    cluster.child.kill('SIGINT');
    expect(await cluster.exited).toBe(0);
    expect(cluster.stdout()).toContain('SIGINT: stopping every node');
    expect(cluster.stdout()).toMatch(/cluster stopped\n$/);
    for (const id of ['n1', 'n2', 'n3']) expect(cluster.stdout()).toContain(`[${id}] stopped`);
    await waitFor('every node process gone', () => banner.nodes.every((n) => !alive(n.pid)), 30_000);
    expect(existsSync(banner.dataDir)).toBe(false);
  }, 120_000);
});
