import { Packr, Unpackr } from 'msgpackr';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import WebSocket from 'ws';

/*
 * A hand-driven client of the wire protocol (packages/transport-ws/docs/protocol.md),
 * written from the document rather than from transport-ws's code, for attack
 * tests against a real node process. Frames are `[kind, id, type, body]`.
 */

export const Kind = { Auth: 0, AuthOk: 1, Request: 2, Response: 3, ErrorResponse: 4 } as const;

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false, structuredClone: false });

/** One plain-msgpack frame. */
export function frame(kind: number, id: number, type: string, body: unknown): Buffer {
  return packr.pack([kind, id, type, body]);
}

/** A decoded frame from the node (trusted: the node under test sent it). */
export function decode(data: Buffer): [number, number, string, unknown] {
  return unpackr.unpack(data) as [number, number, string, unknown];
}

export interface RawSocket {
  readonly ws: WebSocket;
  /** The node's id and nonce from the 101 response. */
  readonly acceptorId: string;
  readonly acceptorNonce: string;
  readonly nonce: string;
  readonly clientId: string;
}

/** Upgrades to a WebSocket as client `clientId`, from `localAddress` (e.g. 127.0.0.7), and stops there: no Auth frame is sent. */
export function rawUpgrade(address: string, clientId = 'default', localAddress?: string): Promise<RawSocket> {
  const nonce = randomBytes(32).toString('base64url');
  const headers = { 'x-dynamis-role': 'client', 'x-dynamis-id': clientId, 'x-dynamis-nonce': nonce };
  const ws = new WebSocket(address, 'dynamis.v1', { headers, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024, localAddress });
  return new Promise((resolve, reject) => {
    let acceptorId = '';
    let acceptorNonce = '';
    ws.once('upgrade', (res) => {
      acceptorId = String(res.headers['x-dynamis-id']);
      acceptorNonce = String(res.headers['x-dynamis-nonce']);
    });
    ws.once('error', reject);
    ws.once('open', () => resolve({ ws, acceptorId, acceptorNonce, nonce, clientId }));
  });
}

/** Upgrades and authenticates with `token`; resolves once the node's AuthOk arrived. */
export async function rawClient(address: string, token: string, clientId = 'default'): Promise<RawSocket> {
  const s = await rawUpgrade(address, clientId);
  const text = `dynamis.v1 dialer\nclient\n${clientId}\n${s.acceptorId}\n${s.nonce}\n${s.acceptorNonce}`;
  s.ws.send(frame(Kind.Auth, 0, '', createHmac('sha256', token).update(text).digest()));
  await new Promise<void>((resolve, reject) => {
    s.ws.once('message', (data: Buffer) => (decode(data)[0] === Kind.AuthOk ? resolve() : reject(new Error('no AuthOk'))));
    s.ws.once('close', (code) => reject(new Error(`closed ${code} during the handshake`)));
  });
  return s;
}

/** Resolves with the close code once `ws` closes. */
export function closed(ws: WebSocket): Promise<number> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}

/** The resident set size of process `pid`, in bytes (Linux: /proc/<pid>/status VmRSS). */
export function rssOf(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (m === null) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

/** Polls `cond` every few ms until it holds; throws after a generous `timeoutMs` (a deadline, not a measurement). */
export async function waitFor(cond: () => boolean | Promise<boolean>, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
