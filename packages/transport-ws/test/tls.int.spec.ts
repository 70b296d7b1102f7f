import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { connect } from 'node:net';
import { WsClient } from '../src/WsClient';
import { WsTransport } from '../src/WsTransport';
import type { WsTransportOptionsInput } from '../src/options';
import { clock, env, random, SECRET, until } from './helpers';
import { recordingLogger, TestPki } from './tlsFiles';

const TOKEN = 'client-token-abcdefghijklmnop';

/**
 * wss between nodes and from clients, mutual TLS, and what is refused: a node
 * whose certificate another CA signed (though it knows the secret), a node
 * that does not trust the cluster's CA, a client without the CA, plain ws.
 */
describe('TLS (wss, mutual TLS)', () => {
  const pki = new TestPki();
  const started: Array<WsTransport | WsClient> = [];
  const logA = recordingLogger();
  let a: WsTransport;
  let b: WsTransport;

  async function node(
    id: string,
    tls: WsTransportOptionsInput['tls'],
    log = recordingLogger(),
    extra: Partial<WsTransportOptionsInput> = {},
  ) {
    const t = new WsTransport(id, { secret: SECRET, host: '127.0.0.1', port: 0, tls, ...extra }, clock, random, log);
    t.setHandler(async (from, msg) => ({ type: `${msg.type}.reply`, payload: from }));
    started.push(t);
    await t.start();
    return t;
  }
  function client(address: string, ca?: string): WsClient {
    const c = new WsClient(
      { address, clientId: 'app', token: TOKEN, ...(ca === undefined ? {} : { tls: { ca } }) },
      clock,
      recordingLogger(),
    );
    started.push(c);
    return c;
  }
  function join(x: WsTransport): Promise<unknown> {
    x.setPeerAddress(a.self, a.address()!);
    return x.request(a.self, env('ping'), { timeoutMs: 10_000 });
  }

  beforeAll(async () => {
    a = await node('a', { ...pki.node('a', 'cluster'), mutual: true }, logA, { clientTokens: { app: TOKEN }, handshakeTimeoutMs: 2000 });
    b = await node('b', { ...pki.node('b', 'cluster'), mutual: true });
  }, 120_000);
  afterAll(async () => {
    await Promise.all(started.map((s) => (s instanceof WsClient ? s.close() : s.stop())));
    pki.remove();
  });

  it('serves wss:// and carries requests both ways between mutually authenticated nodes', async () => {
    expect(a.address()).toMatch(/^wss:\/\/127\.0\.0\.1:\d+$/);
    b.setPeerAddress('a', a.address()!.replace('wss://', '')); // host:port is dialled over TLS by a TLS node
    a.setPeerAddress('b', b.address()!);
    expect(await b.request('a', env('ping'), { timeoutMs: 10_000 })).toEqual({ type: 'ping.reply', payload: 'b' });
    expect(await a.request('b', env('ping'), { timeoutMs: 10_000 })).toEqual({ type: 'ping.reply', payload: 'a' });
  });

  it('refuses a node whose certificate another CA signed, though it knows the secret; the same node with the right CA joins', async () => {
    const logR = recordingLogger();
    const rogue = await node('r', { ...pki.node('r', 'other', 'cluster'), mutual: true }, logR);
    await expect(join(rogue)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(logA.lines.some((l) => l.includes('handshake refused') && l.includes('client certificate refused'))).toBe(true);
    await until(() => logR.lines.some((l) => l.startsWith('warn a peer refused the handshake') && l.includes('401')));
    expect(a.stats().peers.r?.connected ?? false).toBe(false);
    const honest = await node('r2', { ...pki.node('r2', 'cluster'), mutual: true });
    expect(await join(honest)).toEqual({ type: 'ping.reply', payload: 'r2' });
  });

  it('binds node ids to certificates: a node with a cluster certificate for one id cannot claim another, as dialer or as acceptor', async () => {
    // As dialer: certificate x1 (signed by the cluster CA, so TLS itself accepts it), claiming id n-fake.
    const logI = recordingLogger();
    const impostor = await node('n-fake', { ...pki.node('x1', 'cluster'), mutual: true }, logI);
    await expect(join(impostor)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(logA.lines.some((l) => l.includes('handshake refused') && l.includes('its certificate names x1, not n-fake'))).toBe(true);
    expect(a.stats().peers['n-fake']?.connected ?? false).toBe(false);
    // As acceptor: a dials the address it was given for b-twin; the node there answers as b-twin with certificate x2.
    const twin = await node('b-twin', { ...pki.node('x2', 'cluster'), mutual: true });
    a.setPeerAddress('b-twin', twin.address()!);
    await expect(a.request('b-twin', env('ping'), { timeoutMs: 10_000 })).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    await until(() => logA.lines.some((l) => l.includes('claims node id b-twin but its certificate names x2, not b-twin')));
    // The same id with its own certificate is welcome.
    const rightful = await node('x3', { ...pki.node('x3', 'cluster'), mutual: true });
    expect(await join(rightful)).toEqual({ type: 'ping.reply', payload: 'x3' });
  });

  it('a node that does not trust the cluster CA cannot join, and logs the TLS error', async () => {
    const log = recordingLogger();
    const stranger = await node('s', { ...pki.node('s', 'other'), mutual: true }, log);
    const err = await join(stranger).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    await until(() => log.lines.some((l) => l.startsWith('warn TLS handshake with a peer failed') && l.includes('TLS:')));
  });

  it('a client without the CA gets a TLS error at once; with it, it connects', async () => {
    const without = client(a.address()!);
    const err = (await without.connect().catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect(err.message).toMatch(/TLS: .*certificate/);
    const withCa = client(a.address()!.replace('wss://', ''), pki.ca('cluster')); // host:port + tls: wss
    await withCa.connect();
    expect(await withCa.request(env('client.ping'), { timeoutMs: 10_000 })).toEqual({ type: 'client.ping.reply', payload: 'client:app' });
  });

  it('plain ws to a TLS port fails with a clear answer, not a hang', async () => {
    const plain = client(a.address()!.replace('wss://', 'ws://'));
    const err = (await plain.connect().catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'UNAVAILABLE' });
    expect(err.message).toContain('400');
    expect(logA.lines.some((l) => l.includes('plain connection to a TLS port refused'))).toBe(true);
  });

  it('keeps the pre-auth bounds on the TLS port: a silent TCP connection is dropped after handshakeTimeoutMs', async () => {
    const before = a.stats().handshakeTimeouts;
    const port = Number(new URL(a.address()!).port);
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await closed;
    expect(a.stats().handshakeTimeouts).toBe(before + 1);
  });
});
