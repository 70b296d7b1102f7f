import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

  /** The settled placement hash in node `id`'s rebalance holdings file (undefined without one). */
  function settledHash(id: string): string | undefined {
    const file = join(cwd, 'data', id, 'rebalance', 'holdings');
    if (!existsSync(file)) return undefined;
    return /^dynamis-rebalance-holdings 2 \S+ \d+ ([0-9a-f]+) /.exec(readFileSync(file, 'utf8'))?.[1];
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
    // Stopped once every node saw the cluster settled (its holdings file names that placement), so the restart below
    // starts with held partitions: the case where a restarted node's reads used to fail until its peers announced.
    const ids = first.banner.nodes.map((n) => n.id);
    const settled = await waitFor('every holdings file naming one settled placement', () => {
      const hashes = new Set(ids.map(settledHash));
      return hashes.size === 1 && !hashes.has(undefined) ? [...hashes][0] : undefined;
    });
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
    // Until a restarted node's membership has converged its placement is built from the seeds alone (not the one it
    // saw settled: reads may fail then, README of @dynamis/rebalance, "Start"): wait for every node to route by it.
    await waitFor('every node routing by the placement settled before the stop', async () => {
      const r = await dynamis('status', '--json');
      const nodes = (JSON.parse(r.stdout || '{"nodes":[]}') as { nodes: { status?: { rebalance?: { placementHash: string } } }[] }).nodes;
      return nodes.length === ids.length && nodes.every((n) => n.status?.rebalance?.placementHash === settled);
    });
    for (let i = 0; i < 20; i++) {
      // Not retried: a restarted node reads at once under the placement it last saw settled, presuming that the
      // replicas it has not heard from yet still hold their partitions (rebalance README, "Start").
      const r = await dynamis('get', `k${i}`);
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
