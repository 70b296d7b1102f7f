import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DynamisClient, shouldRetry } from '@dynamis/client';
import { fromWireError, type WireError } from '@dynamis/core';
import { Packr } from 'msgpackr';
import { connect, type Socket } from 'node:net';
import type WebSocket from 'ws';
import { closed, decode, frame, Kind, rawClient, rawUpgrade, rssOf, waitFor } from './rawWire';
import { CLIENT_TOKEN, startServerProcess, type ServerProcess } from './serverProcess';
import { BOOT_MS } from './clusterHarness';

/*
 * Regression tests of issue 8 §1: attacks on a real node process. After each
 * one the node must answer a normal client (within a generous deadline), its
 * RSS must stay within RSS_BOUND of its idle RSS, and nothing an attacker sent
 * may have been written. Bounds: packages/transport-ws/README.md, "Limits and
 * attack surface". Sizes are modest so the file runs in seconds.
 */

const MiB = 1024 * 1024;
/** Most the node's RSS may grow during any one of these attacks (over its RSS when the attack began). */
const RSS_BOUND = 192 * MiB;
const VALUE = 512 * 1024;

describe('attacks on a real node process', () => {
  let server: ServerProcess;
  let client: DynamisClient;
  let startRss = 0;
  let peakRss = 0;
  const sampler = setInterval(() => {
    if (server?.child.pid !== undefined && server.child.exitCode === null) peakRss = Math.max(peakRss, rssOf(server.child.pid));
  }, 20);

  beforeAll(async () => {
    server = await startServerProcess(
      {
        nodeId: 'attacked',
        engine: 'lsm',
        log: { level: 'error' },
        // Small enough that the attacks below cross every bound; the defaults are larger (README).
        transport: {
          // Long enough that no timeout cleans up after an attack: the bounds must.
          handshakeTimeoutMs: 120_000,
          heartbeatIntervalMs: 120_000,
          maxConnections: 256,
          maxPendingHandshakes: 64,
          maxRequestsInFlight: 8,
          maxRequestBytesInFlight: 4 * MiB,
          maxQueuedBytes: 8 * MiB,
          maxNodeQueuedBytes: 24 * MiB,
        },
      },
      ['--port', '0'],
    );
    client = await DynamisClient.connect({ nodes: [server.address], token: CLIENT_TOKEN, timeoutMs: 10_000 });
    await client.put('probe', new Uint8Array(VALUE).fill(7));
    await client.get('probe');
  }, BOOT_MS);

  beforeEach(() => {
    startRss = peakRss = rssOf(server.child.pid!);
  });

  afterAll(async () => {
    clearInterval(sampler);
    await client?.close();
    await server?.dispose();
  });

  /** The node answers the client connected before the attack and a new one; RSS stayed bounded; `keys` were not written. */
  async function healthyAfter(keys: string[]): Promise<void> {
    expect((await client.get('probe')).values[0]).toHaveLength(VALUE);
    const fresh = await DynamisClient.connect({ nodes: [server.address], token: CLIENT_TOKEN, timeoutMs: 10_000 });
    try {
      for (const key of keys) expect([key, (await fresh.get(key)).found]).toEqual([key, false]);
    } finally {
      await fresh.close();
    }
    expect(server.child.exitCode).toBeNull();
    expect(peakRss - startRss).toBeLessThan(RSS_BOUND);
  }

  it('a 645-byte structured-clone DAG frame, before and after authentication, is refused at once', async () => {
    let dag: unknown = { key: 'attack/dag', value: new Uint8Array(1) };
    for (let i = 0; i < 30; i++) dag = [dag, dag];
    const hostile = new Packr({ structuredClone: true, useRecords: false }).pack([Kind.Request, 1, 'client.put', dag]);
    expect(hostile.length).toBeLessThan(1024);
    const pre = await rawUpgrade(server.address);
    pre.ws.send(hostile);
    expect(await closed(pre.ws)).toBe(1009); // bigger than the 128-byte pre-auth limit: never decoded
    const authed = await rawClient(server.address, CLIENT_TOKEN);
    authed.ws.send(hostile);
    expect(await closed(authed.ws)).toBe(1002); // an extension type: a protocol violation, nothing walked
    await healthyAfter(['attack/dag']);
  });

  it('large unauthenticated messages on many sockets are refused from their header, never buffered', async () => {
    // 60 sockets from 10 addresses: within the pending-handshake limits, so each one holds its slot.
    const sockets = await Promise.all(Array.from({ length: 60 }, (_, i) => rawUpgrade(server.address, 'default', `127.0.1.${i % 10}`)));
    // 60 × 3.5 MiB: a node that buffered unauthenticated messages would grow beyond RSS_BOUND.
    const codes = sockets.map((s) => closed(s.ws));
    for (const s of sockets) {
      // A masked binary frame announcing 4 MiB, then 3.5 MiB of it: an unfinished message a pre-auth node would buffer.
      const head = Buffer.from([0x82, 0xff, 0, 0, 0, 0, 0, 0x40, 0, 0, 0, 0, 0, 0]);
      rawSocketOf(s.ws).write(Buffer.concat([head, Buffer.alloc(3.5 * MiB)]));
    }
    expect(new Set(await Promise.all(codes))).toEqual(new Set([1009]));
    await healthyAfter([]);
  });

  it('idle unauthenticated sockets from many addresses cannot lock out clients', async () => {
    const idle: Socket[] = [];
    try {
      // 40 addresses × 8 sockets: more than maxConnections (256), far more than maxPendingHandshakes (64).
      const port = Number(new URL(server.address).port);
      for (let a = 2; a < 42; a++) {
        for (let i = 0; i < 8; i++) {
          const s = connect({ host: '127.0.0.1', port, localAddress: `127.0.0.${a}` });
          s.on('error', () => undefined);
          idle.push(s);
        }
      }
      await Promise.all(
        idle.map((s) => new Promise((resolve) => (s.connecting ? s.once('connect', resolve).once('close', resolve) : resolve(null)))),
      );
      // While they are held, the client connected before and a new one are served.
      await healthyAfter([]);
      await waitFor(() => idle.filter((s) => !s.destroyed).length <= 64, 'pending handshakes capped at maxPendingHandshakes');
    } finally {
      for (const s of idle) s.destroy();
    }
  });

  it('pipelined big puts from authenticated clients are refused beyond the in-flight bounds, retryably, and none refused is written', async () => {
    const attackers = await Promise.all([0, 1].map(() => rawClient(server.address, CLIENT_TOKEN)));
    const outcomes = await Promise.all(
      attackers.map((a, c) =>
        pipeline(a.ws, c, 48, (i) => ['client.put', { key: `flood/${c}/${i}`, value: new Uint8Array(VALUE).fill(i) }]),
      ),
    );
    const all = outcomes.flat();
    const refused = all.filter((o) => o.kind === Kind.ErrorResponse);
    for (const r of refused) {
      expect(r.body).toMatchObject({ code: 'UNAVAILABLE', details: { overloaded: true, applied: false } });
      expect(shouldRetry('write', fromWireError(r.body as WireError))).toBe(true); // @dynamis/client retries even a write
    }
    expect(refused.length).toBeGreaterThan(0);
    expect(all.filter((o) => o.kind === Kind.Response).length).toBeGreaterThan(0);
    for (const a of attackers) a.ws.close();
    const keyOf = (o: Outcome): string => `flood/${o.conn}/${o.id - 1}`;
    await healthyAfter(refused.map(keyOf));
    const acked = all.filter((o) => o.kind === Kind.Response).slice(0, 8);
    for (const o of acked) expect((await client.get(keyOf(o))).found).toBe(true);
  });

  it('a key with ill-formed UTF-8 is answered INVALID_KEY, never stored as U+FFFD, and the connection stays up', async () => {
    const raw = await rawClient(server.address, CLIENT_TOKEN);
    const put = (key: Buffer, id: number): Buffer => {
      const bytes = Buffer.from(frame(Kind.Request, id, 'client.put', { key: 'KKKK', value: new Uint8Array(1) }));
      key.copy(bytes, bytes.indexOf('KKKK'));
      return bytes;
    };
    // 0xff and 0xfe are different keys: decoded leniently both would be "a\uFFFDb".
    raw.ws.send(put(Buffer.from([0x61, 0xff, 0x62, 0x21]), 101));
    raw.ws.send(put(Buffer.from([0x61, 0xfe, 0x62, 0x21]), 102));
    const outcomes = await pipeline(raw.ws, 0, 1, () => ['client.get', { key: 'probe' }], 3);
    const byId = new Map(outcomes.map((o) => [o.id, o]));
    for (const id of [101, 102]) expect(byId.get(id)).toMatchObject({ kind: Kind.ErrorResponse, body: { code: 'INVALID_KEY' } });
    expect(byId.get(1)?.kind).toBe(Kind.Response); // the same connection keeps serving
    raw.ws.close();
    await healthyAfter(['a\uFFFDb!', 'a\uFFFDb']);
  });

  it('slow readers: a connection whose replies cannot be queued is dropped instead of growing the node', async () => {
    const readers = await Promise.all([0, 1, 2].map(() => rawClient(server.address, CLIENT_TOKEN)));
    const gone = readers.map((r) => closed(r.ws));
    let open = readers.length;
    void Promise.all(gone.map((p) => p.then(() => open--)));
    for (const r of readers) rawSocketOf(r.ws).pause(); // never read a reply
    let id = 0;
    // Each poll, every reader still connected asks for another 512 KiB reply: its queue grows until the node drops it.
    await waitFor(() => {
      id++;
      for (const r of readers) if (r.ws.readyState === r.ws.OPEN) r.ws.send(frame(Kind.Request, id, 'client.get', { key: 'probe' }));
      return open === 0;
    }, 'every slow reader dropped');
    expect(new Set(await Promise.all(gone))).toEqual(new Set([1006]));
    await healthyAfter([]);
  });
});

interface Outcome {
  readonly conn: number;
  readonly id: number;
  readonly kind: number;
  readonly body: unknown;
}

/** Sends `n` requests at once on `ws` (ids 1..n) and collects `answers` answers (default n), tagged with `conn`. */
function pipeline(ws: WebSocket, conn: number, n: number, make: (i: number) => [string, unknown], answers = n): Promise<Outcome[]> {
  const out: Outcome[] = [];
  return new Promise((resolve, reject) => {
    ws.on('message', (data: Buffer) => {
      const [kind, id, , body] = decode(data);
      out.push({ conn, id, kind, body });
      if (out.length === answers) resolve(out);
    });
    ws.once('close', (code) => reject(new Error(`closed ${code} after ${out.length} answers`)));
    for (let i = 0; i < n; i++) {
      const [type, payload] = make(i);
      ws.send(frame(Kind.Request, i + 1, type, payload));
    }
  });
}

/** The TCP socket under a ws WebSocket (test access to ws internals). */
function rawSocketOf(ws: WebSocket): Socket {
  return (ws as unknown as { _socket: Socket })._socket;
}
