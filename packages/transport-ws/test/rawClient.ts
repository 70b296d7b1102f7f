import WebSocket from 'ws';
import { dialerProof, Header, newNonce, SUBPROTOCOL, type Role } from '../src/auth/handshake';
import { FrameCodec } from '../src/wire/FrameCodec';
import { FrameKind } from '../src/wire/frameSchema';

export const codec = new FrameCodec();

export interface RawOptions {
  readonly role?: Role;
  readonly id?: string;
  /** HMAC key; undefined sends no Auth frame. */
  readonly key?: string;
  /** Extra/overriding upgrade headers; `null` removes one. */
  readonly headers?: Record<string, string | null>;
  readonly maxPayload?: number;
}

/** A hand-driven WebSocket to a transport, for hostile-input tests. Resolves once open (and authenticated if `key`). */
export function rawConnect(address: string, o: RawOptions = {}): Promise<WebSocket> {
  const nonce = newNonce();
  const role = o.role ?? 'node';
  const id = o.id ?? 'raw-peer';
  const headers: Record<string, string> = { [Header.role]: role, [Header.id]: id, [Header.nonce]: nonce };
  for (const [k, v] of Object.entries(o.headers ?? {})) {
    if (v === null) delete headers[k];
    else headers[k] = v;
  }
  const ws = new WebSocket(address, SUBPROTOCOL, { headers, perMessageDeflate: false, maxPayload: o.maxPayload ?? 64 * 1024 * 1024 });
  return new Promise((resolve, reject) => {
    let acceptor = '';
    let acceptorNonce = '';
    ws.once('upgrade', (res) => {
      acceptor = String(res.headers[Header.id]);
      acceptorNonce = String(res.headers[Header.nonce]);
    });
    ws.once('error', reject);
    ws.once('open', () => {
      if (o.key === undefined) return resolve(ws);
      const proof = dialerProof(o.key, { role, dialerId: id, acceptorId: acceptor, dialerNonce: nonce, acceptorNonce });
      ws.send(codec.encode(FrameKind.Auth, 0, '', proof));
      ws.once('message', (data: Buffer) => {
        const frame = codec.decode(data);
        if (Array.isArray(frame) && frame[0] === FrameKind.AuthOk) resolve(ws);
        else reject(new Error('no AuthOk'));
      });
      ws.once('close', (code) => reject(new Error(`closed ${code}`)));
    });
  });
}

/** Resolves with the close code once `ws` closes. */
export function closeCode(ws: WebSocket): Promise<number> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve(-1);
  return new Promise((resolve) => ws.once('close', (code) => resolve(code)));
}
