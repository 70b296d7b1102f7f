import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../src/program';
import { alive, parseBanner, spawnCli, waitFor, type CliProcess, type ClusterBanner } from './cliProcess';
import { recordingIo } from './recordingIo';

// `dynamis cluster` with no flag, as `npm start` runs it: data under ./data, found there by the client commands;
// stopped with SIGTERM and started again with the same ids, ports, secrets and data.
describe('dynamis cluster in ./data restarts with its data', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dynamis-cli-restart-'));
  const started: CliProcess[] = [];
  const pids: number[] = [];

  afterAll(() => {
    for (const p of started) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
  });

  const dynamis = async (...args: string[]) => {
    const io = recordingIo(cwd, {});
    const code = await runCli(args, io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  };

  async function start(): Promise<{ cluster: CliProcess; banner: ClusterBanner }> {
    const cluster = spawnCli(['cluster'], cwd);
    started.push(cluster);
    let exited: number | string | undefined;
    void cluster.exited.then((code) => (exited = code));
    const banner = await waitFor(
      'the cluster banner',
      () => {
        if (exited !== undefined) throw new Error(`dynamis cluster exited (${exited}):\n${cluster.stdout()}\n${cluster.stderr()}`);
        return parseBanner(cluster.stdout());
      },
      240_000,
    );
    pids.push(...banner.nodes.map((n) => n.pid));
    return { cluster, banner };
  }

  async function stop({ cluster, banner }: { cluster: CliProcess; banner: ClusterBanner }): Promise<void> {
    cluster.child.kill('SIGTERM');
    expect(await cluster.exited).toBe(0);
    expect(cluster.stdout()).toMatch(/SIGTERM: stopping every node[\s\S]*cluster stopped\n$/);
    await waitFor('every node process gone', () => banner.nodes.every((n) => !alive(n.pid)), 30_000);
  }

  it('keeps ids, ports, secrets and every acknowledged write across a stop and a start', async () => {
    const first = await start();
    expect(first.banner.dataDir).toBe(join(cwd, 'data'));
    expect(first.cluster.stdout()).toContain('  npx dynamis put greeting hello\n');
    const secret = readFileSync(join(cwd, 'data', 'secret'), 'utf8');
    const token = readFileSync(join(cwd, 'data', 'client-token'), 'utf8');
    for (let i = 0; i < 20; i++) expect((await dynamis('put', `k${i}`, `v${i}`)).code).toBe(0);
    await stop(first);

    const refused = await dynamis('cluster', '--nodes', '5');
    expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining('holds a 3-node cluster; --nodes 5 differs') });

    // A cluster.json from before admin endpoints (no adminPort): the restart chooses them and keeps them in the file.
    const layoutFile = join(cwd, 'data', 'cluster.json');
    const layout = JSON.parse(readFileSync(layoutFile, 'utf8')) as { nodes: { id: string; port: number; adminPort?: number }[] };
    expect(layout.nodes.every((n) => typeof n.adminPort === 'number')).toBe(true);
    writeFileSync(layoutFile, JSON.stringify({ ...layout, nodes: layout.nodes.map(({ id, port }) => ({ id, port })) }));

    const second = await start();
    expect(second.banner.nodes.map((n) => [n.id, n.address])).toEqual(first.banner.nodes.map((n) => [n.id, n.address]));
    expect(readFileSync(join(cwd, 'data', 'secret'), 'utf8')).toBe(secret);
    expect(readFileSync(join(cwd, 'data', 'client-token'), 'utf8')).toBe(token);
    for (let i = 0; i < 20; i++) {
      // Retried until a deadline, and the whole outcome shown if it never reads back. Right after a restart a node
      // routes reads by the holdings its peers announce, and until it has heard them it may find too few holders:
      // "0 of the 2 required replicas answered" (seen in CI twice; a known transient of the rebalancer's routing).
      const until = Date.now() + 60_000;
      let r = await dynamis('get', `k${i}`);
      while (!(r.code === 0 && r.stdout === `v${i}\n`) && r.stderr.includes('UNAVAILABLE') && Date.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        r = await dynamis('get', `k${i}`);
      }
      expect(r.code === 0 && r.stdout === `v${i}\n` ? 'read back' : JSON.stringify(r)).toBe('read back');
    }
    const restored = JSON.parse(readFileSync(layoutFile, 'utf8')) as typeof layout;
    const adminPorts = restored.nodes.map((n) => n.adminPort);
    expect(adminPorts.every((p) => typeof p === 'number')).toBe(true);
    const dashboard = /^dashboard: http:\/\/127\.0\.0\.1:(\d+)\/$/m.exec(second.cluster.stdout());
    expect(Number(dashboard?.[1])).toBe(adminPorts[0]);
    expect((await fetch(`http://127.0.0.1:${adminPorts[2]}/health`)).status).toBe(200);
    await stop(second);
  }, 600_000);
});
