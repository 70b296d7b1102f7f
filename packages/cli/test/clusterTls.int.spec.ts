import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createLocalCa } from '@dynamis/transport-ws';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { runCli } from '../src/program';
import { alive, startCluster, waitFor, type CliProcess, type ClusterBanner } from './cliProcess';
import { recordingIo } from './recordingIo';

// One `dynamis cluster --nodes 3 --ephemeral --tls` (three node processes, mutual TLS with a CA made at start): what it
// prints, and the client commands with the CA it names, without it, and with another CA.
describe('dynamis cluster --tls', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'dynamis-cli-tls-'));
  let cluster: CliProcess;
  let banner: ClusterBanner;
  let ca: string;

  const dynamis = async (...args: string[]) => {
    const io = recordingIo(cwd, {});
    const code = await runCli([...args, '--data-dir', banner.dataDir], io);
    return { code, stdout: io.stdout(), stderr: io.stderr() };
  };

  beforeAll(async () => {
    ({ cluster, banner } = await startCluster(['cluster', '--nodes', '3', '--ephemeral', '--tls'], cwd));
    ca = resolve(cwd, /^ {2}npx dynamis put greeting hello --data-dir \S+ --ca (\S+)$/m.exec(cluster.stdout())![1]!);
  }, 300_000);

  afterAll(async () => {
    if (cluster.child.exitCode === null && cluster.child.signalCode === null) cluster.child.kill('SIGKILL');
    for (const node of banner?.nodes ?? []) if (alive(node.pid)) process.kill(node.pid, 'SIGKILL');
    rmSync(cwd, { recursive: true, force: true });
    if (banner !== undefined) rmSync(banner.dataDir, { recursive: true, force: true });
  });

  it('prints wss:// node addresses, the loopback dashboard, and the --ca flag that talks to it', () => {
    expect(banner.nodes.map((n) => n.id)).toEqual(['n1', 'n2', 'n3']);
    for (const n of banner.nodes) expect(n.address).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    expect(cluster.stdout()).not.toMatch(/\bws:\/\//);
    expect(ca).toBe(join(banner.dataDir, 'tls', 'ca.pem'));
    expect(existsSync(ca)).toBe(true);
    // the admin endpoint speaks plain HTTP on loopback, TLS cluster or not (@dynamis/admin serves no TLS)
    expect(cluster.stdout()).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/$/m);
  });

  it('put and get with --ca; status names every node wss://; without the CA or with another CA, exit 3 saying why', async () => {
    await waitFor('a put acknowledged over wss', async () => (await dynamis('put', 'tls', 'over wss', '--ca', ca)).code === 0);
    expect(await dynamis('get', 'tls', '--ca', ca)).toMatchObject({ code: 0, stdout: 'over wss\n' });
    const status = await dynamis('status', '--ca', ca);
    expect(status.code).toBe(0);
    for (const id of ['n1', 'n2', 'n3']) expect(status.stdout).toMatch(new RegExp(`^${id} +wss://127\\.0\\.0\\.1:\\d+ +up `, 'm'));

    const plain = await dynamis('get', 'tls', '--timeout-ms', '5000');
    expect(plain).toMatchObject({ code: 3, stdout: '' });
    expect(plain.stderr).toMatch(/^error UNAVAILABLE: .*400 \(not a Dynamis handshake, or plain ws to a wss port\)/);

    const other = join(cwd, 'other-ca.pem');
    writeFileSync(other, createLocalCa(Date.now(), 'another CA').cert);
    const wrong = await dynamis('get', 'tls', '--ca', other, '--timeout-ms', '5000');
    expect(wrong).toMatchObject({ code: 3, stdout: '' });
    expect(wrong.stderr).toMatch(/^error UNAVAILABLE: .*TLS: .*certificate/);
  }, 180_000);
});
