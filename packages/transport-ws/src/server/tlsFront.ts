import type { Logger } from '@dynamis/core';
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { createServer } from 'node:tls';

/** The first byte of every TLS connection: a handshake record. */
const TLS_HANDSHAKE_RECORD = 0x16;

const PLAIN_REFUSAL =
  'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: 54\r\n\r\n' +
  'this port speaks TLS only: connect with wss://, not ws';

export interface TlsFrontEnv {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer | undefined;
  /** Ask every dialer for a certificate (mutual TLS); its verdict is `authorized` on the TLSSocket, enforced by the Acceptor. */
  readonly requestCert: boolean;
  readonly logger: Logger;
}

/** The TLS layer of a listener: feed it raw TCP sockets; it hands TLS sockets to `http`. */
export interface TlsFront {
  /** Starts the TLS handshake of a raw TCP socket. */
  accept(raw: Socket): void;
  /** The raw TCP socket under a TLS socket `accept` produced (while both are open). */
  rawOf(socket: Duplex): Socket | undefined;
}

/**
 * Runs Node's TLS server logic (a tls.Server that never listens itself, so
 * that Node computes each dialer's certificate verdict: `authorized`,
 * `authorizationError`) on each raw TCP connection given to `accept`, and
 * hands the TLS socket to `http` once the handshake completes. Certificates
 * are requested (with `requestCert`) but not required at this layer
 * (rejectUnauthorized false): the Acceptor decides per role. A TLS failure (a
 * dialer that does not trust our certificate, garbage) is logged at warn
 * with the remote address and OpenSSL's reason; Node destroys the socket.
 */
export function tlsFront(http: HttpServer, env: TlsFrontEnv): TlsFront {
  const server = createServer({
    cert: env.cert,
    key: env.key,
    ...(env.ca === undefined ? {} : { ca: env.ca }),
    requestCert: env.requestCert,
    rejectUnauthorized: false,
  });
  const byEndpoint = new Map<string, Socket>();
  const endpoint = (s: { remoteAddress?: string; remotePort?: number }): string => `${s.remoteAddress ?? ''}|${s.remotePort ?? ''}`;
  server.on('secureConnection', (socket) => http.emit('connection', socket));
  server.on('tlsClientError', (err: NodeJS.ErrnoException, socket) => {
    env.logger.warn('TLS connection refused', { remote: socket.remoteAddress, error: err.code ?? err.message, reason: err.message });
  });
  return {
    accept(raw: Socket): void {
      const key = endpoint(raw);
      byEndpoint.set(key, raw);
      raw.once('close', () => {
        if (byEndpoint.get(key) === raw) byEndpoint.delete(key);
      });
      server.emit('connection', raw);
    },
    rawOf(socket: Duplex): Socket | undefined {
      return byEndpoint.get(endpoint(socket as Socket));
    },
  };
}

/**
 * Peeks at the first bytes of `raw`: a TLS handshake goes on to `next`
 * (TLSSocket takes the buffered bytes over); anything else is answered with
 * PLAIN_REFUSAL and closed. A socket that closes before sending a byte is simply gone
 * (its slot and handshake timer, taken at accept, bound how long it may stay silent).
 */
export function onlyTls(next: (raw: Socket) => void, logger: Logger): (raw: Socket) => void {
  return (raw: Socket): void => {
    raw.once('readable', () => {
      const first = raw.read(1) as Buffer | null;
      if (first === null) return;
      raw.unshift(first);
      if (first[0] === TLS_HANDSHAKE_RECORD) {
        next(raw);
        return;
      }
      logger.warn('plain connection to a TLS port refused', { remote: raw.remoteAddress });
      raw.end(PLAIN_REFUSAL);
      raw.destroySoon();
    });
    raw.on('error', () => raw.destroy());
  };
}
