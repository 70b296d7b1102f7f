import { DynamisClient } from '@dynamis/client';
import { SystemClock } from '@dynamis/core';
import { createLocalCa, issueCertificate, type CertificatePair } from '@dynamis/transport-ws';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BOOT_MS, eventually, freePort } from './clusterHarness';
import { CLIENT_TOKEN, startServerProcess, tempDir, type ServerProcess } from './serverProcess';

const IDS = ['n1', 'n2', 'n3'];
/** The 4th node: first with a certificate another CA signed (refused), then with one from the cluster's CA (joins). */
const NEWCOMER = 'n4';
const DEADLINE_MS = 90_000;

/**
 * Three `dynamis-server` processes with gossip membership and mutual TLS
 * (certificates made at test time), clients with and without the CA, and a
 * 4th node process trying to join: refused with a certificate from another
 * CA, admitted with one from the cluster's CA.
 */
describe('a TLS cluster of processes (wss, mutual TLS, gossip)', () => {
  const pki = tempDir();
  const nodes: ServerProcess[] = [];
  const admins: string[] = [];
  const others: ServerProcess[] = [];
  const clients: DynamisClient[] = [];
  const ca = join(pki, 'ca.pem');
  const otherCa = join(pki, 'other-ca.pem');
  const now = new SystemClock().now();
  const authority = createLocalCa(now, 'cluster CA');
  const stranger = createLocalCa(now, 'another CA');
  const seeds: string[] = [];

  /** Writes a certificate for `id` signed by `signer` as `<file>.pem` / `<file>-key.pem`; returns the paths. */
  function certificate(id: string, signer: CertificatePair, file: string): { cert: string; key: string } {
    const pair = issueCertificate(signer, { commonName: id, hosts: ['127.0.0.1', 'localhost'], nowMs: now });
    const cert = join(pki, `${file}.pem`);
    const key = join(pki, `${file}-key.pem`);
    writeFileSync(cert, pair.cert);
    writeFileSync(key, pair.key, { mode: 0o600 });
    return { cert, key };
  }

  /** A gossip node with mutual TLS (trusting the cluster's CA) and an admin endpoint on loopback. */
  async function start(id: string, port: number, files: { cert: string; key: string }): Promise<{ node: ServerProcess; admin: string }> {
    const config = {
      nodeId: id,
      listen: { host: '127.0.0.1', port },
      coordinator: 'quorum',
      seeds,
      replication: { n: 3, w: 2, r: 2 },
      membership: 'gossip',
      membershipOptions: { probeIntervalMs: 600, probeTimeoutMs: 200, joinRetryMs: 300 },
      hintedHandoff: false,
      antiEntropy: false,
      log: { level: 'warn' },
      shutdownLingerMs: 0,
    };
    const flags = ['--tls-cert', files.cert, '--tls-key', files.key, '--tls-ca', ca, '--tls-mutual', '--admin', '127.0.0.1:0'];
    const node = await startServerProcess(config, flags, undefined, BOOT_MS);
    const admin = await eventually(async () => {
      const m = /admin on (http:\/\/\S+)/.exec(node.stdout());
      if (m === null) throw new Error(`${id} printed no admin URL`);
      return m[1]!;
    });
    return { node, admin };
  }

  /** The members the node behind `admin` lists (its dashboard snapshot in `/status`), as id → state. */
  async function members(admin: string): Promise<Map<string, string>> {
    const status = (await (await fetch(`${admin}status`)).json()) as { dashboard?: { members: { id: string; state: string }[] } };
    if (status.dashboard === undefined) throw new Error(`${admin}status has no dashboard snapshot yet`);
    return new Map(status.dashboard.members.map((m) => [m.id, m.state]));
  }

  async function connect(address: string, tlsCa: string): Promise<DynamisClient> {
    const client = await DynamisClient.connect({ nodes: [address], token: CLIENT_TOKEN, tls: { ca: tlsCa }, timeoutMs: 15_000 });
    clients.push(client);
    return client;
  }

  beforeAll(async () => {
    writeFileSync(ca, authority.cert);
    writeFileSync(otherCa, stranger.cert);
    const ports: number[] = [];
    for (const _ of IDS) ports.push(await freePort());
    seeds.push(...IDS.map((id, i) => `${id}@127.0.0.1:${ports[i]}`));
    const started = await Promise.all(IDS.map((id, i) => start(id, ports[i]!, certificate(id, authority, id))));
    nodes.push(...started.map((s) => s.node));
    admins.push(...started.map((s) => s.admin));
    // every node sees all three up before a case starts
    await eventually(async () => {
      for (const admin of admins) {
        const seen = await members(admin);
        if (IDS.some((id) => seen.get(id) !== 'up')) throw new Error(`${admin}: ${JSON.stringify([...seen])}`);
      }
    }, DEADLINE_MS);
  }, 2 * BOOT_MS);
  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    for (const n of [...nodes, ...others]) await n.dispose();
    rmSync(pki, { recursive: true, force: true });
  });

  it('listens on wss:// and serves put/get at W=2/R=2 to a client holding the CA', async () => {
    for (const n of nodes) expect(n.address).toMatch(/^wss:\/\//);
    const client = await connect(nodes[0]!.address, ca);
    await eventually(() => client.put('tls-key', Buffer.from('over wss')), DEADLINE_MS); // replication W=2
    const got = await client.get('tls-key'); // replication R=2
    expect(got.values.map((v) => Buffer.from(v).toString())).toEqual(['over wss']);
  });

  it('a client without the CA or with another CA gets a TLS error, and plain ws gets a 400, all at once', async () => {
    const noCa = (await DynamisClient.connect({ nodes: [nodes[1]!.address], token: CLIENT_TOKEN, retries: 0 }).catch(
      (e: unknown) => e,
    )) as Error;
    expect(noCa).toMatchObject({ code: 'UNAVAILABLE' });
    expect(noCa.message).toContain('TLS:');
    const wrongCa = (await DynamisClient.connect({
      nodes: [nodes[1]!.address],
      token: CLIENT_TOKEN,
      tls: { ca: otherCa },
      retries: 0,
    }).catch((e: unknown) => e)) as Error;
    expect(wrongCa).toMatchObject({ code: 'UNAVAILABLE' });
    expect(wrongCa.message).toMatch(/TLS: .*certificate/);
    const plain = nodes[1]!.address.replace('wss://', 'ws://');
    const err = (await DynamisClient.connect({ nodes: [plain], token: CLIENT_TOKEN, retries: 0 }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('400');
  });

  it(
    'a 4th node whose certificate another CA signed is refused: both sides log why, no member list names it, the cluster serves on',
    async () => {
      const rogue = (await start(NEWCOMER, await freePort(), certificate(NEWCOMER, stranger, `${NEWCOMER}-rogue`))).node;
      others.push(rogue);
      // every node it dialled logged the refused handshake, naming it and the reason
      await eventually(async () => {
        for (const [i, n] of nodes.entries()) {
          const refused = n
            .stderr()
            .split('\n')
            .some(
              (l) => l.includes('handshake refused') && l.includes(`node ${NEWCOMER} from`) && l.includes('client certificate refused'),
            );
          if (!refused) throw new Error(`${IDS[i]} logged no refused handshake:\n${n.stderr()}`);
        }
      }, DEADLINE_MS);
      // the newcomer's own log says why it cannot join
      await eventually(async () => {
        const why = rogue
          .stderr()
          .split('\n')
          .some((l) => l.includes('a peer refused the handshake') && l.includes('our certificate is not signed by a CA it trusts'));
        if (!why) throw new Error(`the refused node logged no reason:\n${rogue.stderr()}`);
      }, DEADLINE_MS);
      for (const admin of admins) expect([...(await members(admin)).keys()].sort()).toEqual(IDS);
      const client = await connect(nodes[2]!.address, ca);
      await client.put('after-rogue', Buffer.from('still serving'));
      expect((await client.get('after-rogue')).values.map((v) => Buffer.from(v).toString())).toEqual(['still serving']);
      await rogue.dispose();
      for (const admin of admins) expect([...(await members(admin)).keys()].sort()).toEqual(IDS);
    },
    2 * DEADLINE_MS,
  );

  it(
    'the same 4th node with a certificate from the cluster CA joins: every member list shows it up',
    async () => {
      const { node, admin } = await start(NEWCOMER, await freePort(), certificate(NEWCOMER, authority, NEWCOMER));
      others.push(node);
      await eventually(async () => {
        for (const a of [...admins, admin]) {
          const seen = await members(a);
          if ([...IDS, NEWCOMER].some((id) => seen.get(id) !== 'up')) throw new Error(`${a}: ${JSON.stringify([...seen])}`);
        }
      }, DEADLINE_MS);
      const client = await connect(node.address, ca);
      await eventually(() => client.put('via-n4', Buffer.from('joined')), DEADLINE_MS);
      // Retried as the put is: right after its join n4 routes reads by the holdings its peers announced, and until it
      // has heard them a read through it can find too few holders ("0 of the 2 required replicas answered"). A
      // newcomer has no placement it saw settled, so the restart presumption (rebalance README, "Start") does not
      // apply: presuming holders under a placement it never saw settled could read a gaining node's empty copy.
      const read = await eventually(() => client.get('via-n4'), DEADLINE_MS);
      expect(read.values.map((v) => Buffer.from(v).toString())).toEqual(['joined']);
    },
    2 * DEADLINE_MS,
  );
});
