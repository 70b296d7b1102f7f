import type { Clock, Timer } from '@dynamis/core';
import type { TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import {
  acceptorProof,
  dialerProof,
  HANDSHAKE_MAX_BYTES,
  Header,
  ID_PATTERN,
  isNonce,
  newNonce,
  SUBPROTOCOL,
  type Role,
} from '../auth/handshake';
import type { ConnectionInit } from '../conn/Connection';
import { certificateIdMismatch } from '../tls/certificateId';
import { FrameKind } from '../wire/frameSchema';
import type { FrameCodec } from '../wire/FrameCodec';

/** How to dial one peer. `key` is the cluster secret (role node) or the client's token (role client). */
export interface DialSpec {
  readonly url: string;
  readonly role: Role;
  readonly dialerId: string;
  readonly key: string;
  /** The acceptor must present this node id; undefined accepts any valid id (clients). */
  readonly expectAcceptorId: string | undefined;
  readonly handshakeTimeoutMs: number;
  /** For a wss:// url: the CA to verify the acceptor's certificate with (default: Node's roots) and our certificate for mutual TLS. */
  readonly tls?: { readonly ca?: Buffer; readonly cert?: Buffer; readonly key?: Buffer };
  /** Mutual TLS between nodes: the acceptor's certificate must name `expectAcceptorId` (its CN), or the dial fails. */
  readonly bindNodeIds?: boolean;
}

/**
 * Leaves ws's mask buffer at zero: frames are sent with a zero masking key,
 * which skips masking (a copy and an XOR of every byte sent). RFC 6455 masks
 * protect HTTP intermediaries from browser-scripted content; this dialer is
 * never a browser and the payload is never attacker-chosen bytes meant for a
 * proxy (docs/protocol.md, "Masking").
 */
function zeroMask(): void {}

/** Outcomes of one dial; exactly one of `opened` / `failed` is called. */
export interface DialCallbacks {
  /**
   * The WebSocket is open and our Auth frame is about to be sent: wrap `ws`
   * in a Connection with `init` now (it awaits the acceptor's AuthOk) and hand
   * it `handshakeTimer` to cancel on authentication.
   */
  opened(ws: WebSocket, init: ConnectionInit, handshakeTimer: Timer): void;
  /** Refused, unreachable, timed out, or the acceptor is not who we expected. */
  failed(reason: string): void;
}

/**
 * Dials `spec.url` and runs the dialer's side of the handshake
 * (docs/protocol.md): offers our role, id and nonce in the upgrade request,
 * takes the acceptor's id and nonce from the 101 response, and sends our
 * proof as the first frame; the Connection then checks the acceptor's proof
 * in its AuthOk (until then the acceptor may send at most HANDSHAKE_MAX_BYTES
 * per message). The handshake timer (Clock) covers everything up to AuthOk.
 * Returns the WebSocket so the caller can terminate it (stop) before either callback.
 */
export function dial(spec: DialSpec, codec: FrameCodec, clock: Clock, cb: DialCallbacks): WebSocket {
  const dialerNonce = newNonce();
  const headers: Record<string, string> = { [Header.role]: spec.role, [Header.id]: spec.dialerId, [Header.nonce]: dialerNonce };
  if (spec.expectAcceptorId !== undefined) headers[Header.expect] = spec.expectAcceptorId;
  let settled = false;
  let init: ConnectionInit | undefined;
  let proof: Buffer | undefined;
  const ws = new WebSocket(spec.url, SUBPROTOCOL, {
    perMessageDeflate: false,
    maxPayload: HANDSHAKE_MAX_BYTES, // raised once the acceptor proved itself (Connection)
    headers,
    followRedirects: false,
    generateMask: zeroMask,
    ...spec.tls,
  });
  const fail = (reason: string): void => {
    if (settled) return;
    settled = true;
    timer.cancel();
    ws.terminate();
    cb.failed(reason);
  };
  const timer = clock.setTimer(spec.handshakeTimeoutMs, () => {
    if (settled)
      ws.terminate(); // opened, but no AuthOk in time: the Connection reports the close
    else fail('handshake timed out');
  });
  ws.on('upgrade', (res) => {
    const id = res.headers[Header.id];
    const nonce = res.headers[Header.nonce];
    if (typeof id !== 'string' || !ID_PATTERN.test(id) || !isNonce(nonce)) return fail('acceptor sent no valid identity');
    if (spec.expectAcceptorId !== undefined && id !== spec.expectAcceptorId)
      return fail(`address is served by ${id}, not ${spec.expectAcceptorId}`);
    if (spec.bindNodeIds === true) {
      const mismatch = certificateIdMismatch((res.socket as TLSSocket).getPeerCertificate?.(), id);
      if (mismatch !== undefined) return fail(`TLS: the acceptor claims node id ${id} but ${mismatch}`);
    }
    const params = { role: spec.role, dialerId: spec.dialerId, acceptorId: id, dialerNonce, acceptorNonce: nonce };
    proof = dialerProof(spec.key, params);
    init = { peerId: id, role: spec.role, outbound: true, expectedProof: acceptorProof(spec.key, params), replyProof: undefined };
  });
  ws.on('open', () => {
    if (settled) return;
    if (init === undefined || proof === undefined) return fail('acceptor sent no handshake');
    settled = true;
    cb.opened(ws, init, timer);
    ws.send(codec.encode(FrameKind.Auth, 0, '', proof));
  });
  ws.on('error', (err) => fail(describeDialError(err)));
  ws.on('close', (code) => fail(`closed during handshake (${code})`));
  return ws;
}

/** OpenSSL's certificate verdicts (X509_V_ERR_*) and TLS failures, as Node names them in `err.code`. */
const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|HOSTNAME_MISMATCH|ERR_TLS_CERT_ALTNAME)/;

/** How a reason from describeDialError starts when the acceptor refused the upgrade with an HTTP status. */
export const REFUSED_BY_PEER = 'refused by the peer:';

/** What an acceptor's refusal of the upgrade means (the statuses its Acceptor answers, docs/protocol.md). */
const REFUSALS: Readonly<Record<string, string>> = {
  '400': 'not a Dynamis handshake, or plain ws to a wss port',
  '401':
    'the peer does not accept our credentials: with mutual TLS, our certificate is not signed by a CA it trusts, or does not name our node id (CN)',
  '409': 'the peer has our node id',
  '421': 'the address is served by another node',
  '503': 'the peer is at its connection limit',
};

/**
 * A dial error as a reason: TLS failures (an untrusted or mismatching
 * certificate, a refused client certificate, a plain-ws peer) start with
 * `TLS:` and name OpenSSL's code; an upgrade the acceptor refused starts with
 * `refused by the peer:` and says what its status means; so that logs and
 * client errors say what to fix.
 */
export function describeDialError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code !== undefined && TLS_CODE.test(code)) return `TLS: ${err.message} (${code})`;
  if (/EPROTO|wrong version number|packet length too long/.test(`${code ?? ''} ${err.message}`))
    return `TLS: ${err.message} (is the peer serving plain ws, not wss?)`;
  const status = /^Unexpected server response: (\d{3})$/.exec(err.message)?.[1];
  if (status !== undefined) return `${REFUSED_BY_PEER} ${err.message}${REFUSALS[status] === undefined ? '' : ` (${REFUSALS[status]})`}`;
  return err.message;
}
