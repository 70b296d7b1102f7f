import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminStatusSchema } from '@dynamis/core';
import { runCli } from '../src/program';
import { alive, runCliProcess, startCluster, waitFor, type CliProcess, type ClusterBanner } from './cliProcess';
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
    ({ cluster, banner } = await startCluster(['cluster', '--nodes', '3', '--ephemeral'], cwd));
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

  it('prints the dashboard URL; every node serves its dashboard and /health on its admin port', async () => {
    const dashboard = /^dashboard: (http:\/\/127\.0\.0\.1:\d+\/)$/m.exec(cluster.stdout());
    expect(dashboard).not.toBeNull();
    const admins = [...cluster.stdout().matchAll(/(n\d) (http:\/\/127\.0\.0\.1:\d+\/)/g)].map((m) => [m[1], m[2]]);
    expect(admins.map(([id]) => id)).toEqual(['n1', 'n2', 'n3']);
    expect(admins[0]![1]).toBe(dashboard![1]);
    for (const [, url] of admins) {
      const page = await fetch(url!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>Dynamis dashboard</title>');
      expect((await fetch(`${url}health`)).status).toBe(200);
    }
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

  it('batch applies ops from a file, one result line per op; scan lists live keys as text or JSON, page by page with a cursor', async () => {
    const ops = join(cwd, 'ops.txt');
    writeFileSync(ops, ['put scan/a 1', 'put scan/b two words', '{"op":"put","key":"scan/c","value":"3"}', 'put scan/d 4', ''].join('\n'));
    const batch = await dynamis('batch', ops);
    expect(batch).toMatchObject({ code: 0, stderr: '' });
    const lines = batch.stdout.split('\n').filter(Boolean);
    expect(lines.map((l) => l.split(' ').slice(0, 3).join(' '))).toEqual([
      'ok put scan/a',
      'ok put scan/b',
      'ok put scan/c',
      'ok put scan/d',
    ]);
    for (const l of lines) expect(l).toMatch(/ acks=[23] context=[A-Za-z0-9_-]+$/);
    writeFileSync(ops, 'del scan/d\n');
    const del = await dynamis('batch', ops, '--json');
    expect(JSON.parse(del.stdout)).toMatchObject({ line: 1, op: 'del', key: 'scan/d', ok: true });

    const all = await dynamis('scan', '--prefix', 'scan/');
    expect(all).toMatchObject({ code: 0, stderr: '' });
    expect(all.stdout.split('\n').filter(Boolean).sort()).toEqual(['scan/a\t1', 'scan/b\ttwo words', 'scan/c\t3']);
    const json = (await dynamis('scan', '--prefix', 'scan/', '--json')).stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l));
    expect(json.map((o: { key: string }) => o.key).sort()).toEqual(['scan/a', 'scan/b', 'scan/c']);
    expect(json.find((o: { key: string }) => o.key === 'scan/b')).toMatchObject({ values: ['two words'], context: expect.any(String) });

    const first = await dynamis('scan', '--prefix', 'scan/', '--limit', '2');
    expect(first.code).toBe(0);
    expect(first.stdout.split('\n').filter(Boolean)).toHaveLength(2);
    const cursor = /^cursor: (\S+)\n$/.exec(first.stderr)![1]!;
    const rest = await dynamis('scan', '--prefix', 'scan/', '--cursor', cursor);
    expect(rest.stderr).toBe('');
    expect([...first.stdout.split('\n'), ...rest.stdout.split('\n')].filter(Boolean).sort()).toEqual(
      all.stdout.split('\n').filter(Boolean).sort(),
    );
    expect(await dynamis('scan', '--prefix', 'nothing-here/')).toEqual({ code: 0, stdout: '', stderr: '' });

    // bad input: exit 2, nothing sent (a bad line anywhere stops the whole file); refused ops print one error line each
    for (const args of [
      ['scan', '--limit', '0'],
      ['scan', '--cursor', 'garbage'],
    ])
      expect((await dynamis(...args)).code).toBe(2);
    writeFileSync(ops, 'put scan/e 5\nupsert scan/f 6\n');
    expect(await dynamis('batch', ops)).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining('line 2') });
    expect((await dynamis('get', 'scan/e')).code).toBe(1);
    writeFileSync(ops, 'put scan/e 5\nput scan/f 6\n');
    const refused = await dynamis('batch', ops, '--consistency', '4');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/^error INVALID_ARGUMENT put scan\/e: .*\nerror INVALID_ARGUMENT put scan\/f: /);
  }, 120_000);

  it('ring lists every partition with its 3 replicas; hints shows each node holding none; repair runs an anti-entropy round', async () => {
    const ring = await dynamis('ring', '--json');
    expect(ring.code).toBe(0);
    const parsed = JSON.parse(ring.stdout) as { partitionCount: number; n: number; partitions: { id: number; replicas: string[] }[] };
    expect(parsed).toMatchObject({ partitionCount: 256, n: 3 });
    expect(parsed.partitions.map((p) => p.id)).toEqual(Array.from({ length: 256 }, (_, i) => i));
    for (const p of parsed.partitions) expect([...p.replicas].sort()).toEqual(['n1', 'n2', 'n3']);
    const text = await dynamis('ring');
    expect(text.stdout).toMatch(/^PARTITION +REPLICAS\n0 +n\d,n\d,n\d\n/);
    expect(text.stdout.split('\n').filter(Boolean)).toHaveLength(257);

    const hints = await dynamis('hints', '--json');
    expect(hints.code).toBe(0);
    const nodes = (JSON.parse(hints.stdout) as { nodes: { node: string; handoff: boolean; total: number }[] }).nodes;
    expect(nodes.map((n) => [n.node, n.handoff, n.total])).toEqual([
      ['n1', true, 0],
      ['n2', true, 0],
      ['n3', true, 0],
    ]);
    expect((await dynamis('hints')).stdout).toMatch(/^NODE +ADDRESS +FOR +PENDING\nn1 +ws:\/\/127\.0\.0\.1:\d+ +- +0\n/);

    // The trees are rebuilt at start (exchanges are refused until then): poll until a round runs clean.
    const repaired = await waitFor('a clean repair round of partition 0', async () => {
      const r = await dynamis('repair', '--partition', '0', '--json');
      return r.code === 0 ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined;
    });
    expect(repaired).toMatchObject({ from: 'n1', exchanged: 2, skipped: 0, failed: 0, failures: [] });
    const table = await dynamis('repair', '--partition', '1');
    expect(table).toMatchObject({ code: 0, stderr: '' });
    expect(table.stdout).toMatch(
      /^NODE +EXCHANGES +SKIPPED \(PEER DOWN\) +FAILED +KEYS SENT +KEYS RECEIVED +BYTES\nn1 +2 +0 +0 +\d+ +\d+ +\d+\n$/,
    );
    expect(await dynamis('repair', '--partition', '256')).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error INVALID_ARGUMENT: /),
    });
  }, 180_000);

  it('as a process: stdout, stderr and exit code a script can rely on', async () => {
    expect((await dynamis('put', 'proc', 'from a process test')).code).toBe(0);
    expect(await runCliProcess(['get', 'proc', ...dirFlag], cwd)).toMatchObject({ code: 0, stdout: 'from a process test\n' });
    expect(await runCliProcess(['get', 'absent', ...dirFlag], cwd)).toEqual({ code: 1, stdout: '', stderr: 'not found: absent\n' });
  }, 120_000);

  it('as a process: batch reads its ops from stdin', async () => {
    // spawnCli's stdin is /dev/null; this one pipes the ops in.
    const child = spawn(
      process.execPath,
      ['-r', require.resolve('@swc-node/register'), join(__dirname, '..', 'src', 'main.ts'), 'batch', '--json', ...dirFlag],
      {
        cwd,
        env: { ...process.env, SWC_NODE_PROJECT: join(__dirname, '..', '..', '..', 'tsconfig.check.json'), DYNAMIS_CLIENT_TOKEN: '' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const code = new Promise((resolve) => child.once('exit', resolve));
    child.stdin.end('put stdin/1 one\n{"op":"put","key":"stdin/2","value":"two"}\n');
    expect(await code).toBe(0);
    expect(
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as object),
    ).toEqual([
      expect.objectContaining({ line: 1, op: 'put', key: 'stdin/1', ok: true }),
      expect.objectContaining({ line: 2, op: 'put', key: 'stdin/2', ok: true }),
    ]);
    expect((await dynamis('get', 'stdin/2')).stdout).toBe('two\n');
  }, 120_000);

  it('leave: a node hands its partitions off and exits by itself; the other two go on', async () => {
    const unknown = await dynamis('leave', 'n9');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no node of the cluster is n9');
    const n3 = banner.nodes.find((n) => n.id === 'n3')!;
    const r = await dynamis('leave', 'n3', '--json');
    expect({ code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    expect(JSON.parse(r.stdout)).toEqual({ nodeId: 'n3', departure: 'left' });
    expect(r.stderr).toContain('n3: handing-off');
    await waitFor('n3 process gone', () => !alive(n3.pid), 60_000);
    expect(cluster.stdout()).toContain('[n3] left the cluster: partitions handed off');
    const members = await waitFor('n1 sees n3 left', async () => {
      const m = await dynamis('members', '--json');
      const parsed = JSON.parse(m.stdout) as { members: { id: string; status: string }[] };
      return parsed.members.find((x) => x.id === 'n3')?.status === 'left' ? parsed.members : undefined;
    });
    expect(members.filter((m) => m.status === 'up').map((m) => m.id)).toEqual(['n1', 'n2']);
    expect((await dynamis('put', 'after-leave', 'still here')).code).toBe(0);
    expect((await dynamis('get', 'after-leave')).stdout).toBe('still here\n');
  }, 180_000);

  it('SIGINT stops every node cleanly: the command exits 0 and no node process is left', async () => {
    cluster.child.kill('SIGINT');
    expect(await cluster.exited).toBe(0);
    expect(cluster.stdout()).toContain('SIGINT: stopping every node');
    expect(cluster.stdout()).toMatch(/cluster stopped\n$/);
    for (const id of ['n1', 'n2', 'n3']) expect(cluster.stdout()).toContain(`[${id}] stopped`); // n3 stopped after its leave
    await waitFor('every node process gone', () => banner.nodes.every((n) => !alive(n.pid)), 30_000);
    expect(existsSync(banner.dataDir)).toBe(false);
  }, 120_000);
});
