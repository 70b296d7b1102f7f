import { DynamisClient } from '@dynamis/client';
import { SystemClock } from '@dynamis/core';
import { createLocalCa, issueCertificate } from '@dynamis/transport-ws';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOOT_MS, freePort } from './clusterHarness';
import { CLIENT_TOKEN, startServerProcess, tempDir, type ServerProcess } from './serverProcess';

const IDS = ['n1', 'n2', 'n3'];

/** Three `dynamis-server` processes with mutual TLS (certificates made at test time), and clients with and without the CA. */
describe('a TLS cluster of processes (wss, mutual TLS)', () => {
  const pki = tempDir();
  const nodes: ServerProcess[] = [];
  const clients: DynamisClient[] = [];
  const ca = join(pki, 'ca.pem');

  beforeAll(async () => {
    const now = new SystemClock().now();
    const authority = createLocalCa(now);
    writeFileSync(ca, authority.cert);
    const ports: number[] = [];
    for (const _ of IDS) ports.push(await freePort());
    const seeds = IDS.map((id, i) => `${id}@127.0.0.1:${ports[i]}`);
    const started = IDS.map((id, i) => {
      const pair = issueCertificate(authority, { commonName: id, hosts: ['127.0.0.1', 'localhost'], nowMs: now });
      writeFileSync(join(pki, `${id}.pem`), pair.cert);
      writeFileSync(join(pki, `${id}-key.pem`), pair.key, { mode: 0o600 });
      const config = {
        nodeId: id,
        listen: { host: '127.0.0.1', port: ports[i] },
        coordinator: 'quorum',
        seeds,
        replication: { n: 3, w: 2, r: 2 },
        membership: 'static',
        hintedHandoff: false,
        antiEntropy: false,
        log: { level: 'warn' },
        shutdownLingerMs: 0,
      };
      const flags = ['--tls-cert', join(pki, `${id}.pem`), '--tls-key', join(pki, `${id}-key.pem`), '--tls-ca', ca, '--tls-mutual'];
      return startServerProcess(config, flags, undefined, BOOT_MS);
    });
    nodes.push(...(await Promise.all(started)));
  }, 2 * BOOT_MS); // key generation and three boots on a loaded box: jest's 30 s hook default is too short
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    for (const n of nodes) await n.dispose();
    rmSync(pki, { recursive: true, force: true });
  });

  it('listens on wss:// and serves put/get at W=2/R=2 to a client holding the CA', async () => {
    for (const n of nodes) expect(n.address).toMatch(/^wss:\/\//);
    const client = await DynamisClient.connect({ nodes: [nodes[0]!.address], token: CLIENT_TOKEN, tls: { ca }, timeoutMs: 15_000 });
    clients.push(client);
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await client.put('tls-key', Buffer.from('over wss')); // replication W=2
        break;
      } catch (err) {
        if (Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const got = await client.get('tls-key'); // replication R=2
    expect(got.values.map((v) => Buffer.from(v).toString())).toEqual(['over wss']);
  });

  it('a client without the CA gets a TLS error, and plain ws gets a 400, both at once', async () => {
    const noCa = (await DynamisClient.connect({ nodes: [nodes[1]!.address], token: CLIENT_TOKEN, retries: 0 }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(noCa).toMatchObject({ code: 'UNAVAILABLE' });
    expect(noCa.message).toContain('TLS:');
    const plain = nodes[1]!.address.replace('wss://', 'ws://');
    const err = (await DynamisClient.connect({ nodes: [plain], token: CLIENT_TOKEN, retries: 0 }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('400');
  });
});
