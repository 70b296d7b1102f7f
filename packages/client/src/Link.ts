import { DynamisError, type Clock, type Envelope, type Logger } from '@dynamis/core';
import { loadTls, WsClient } from '@dynamis/transport-ws';

/** An authenticated connection to one node. */
export interface Link {
  /** False once the connection is lost or closed; a closed link is never reopened. */
  readonly isOpen: boolean;
  /**
   * Sends one request and resolves with the node's reply, or rejects with the
   * error the node returned (its code), TIMEOUT, or UNAVAILABLE. If the link
   * is not open the request is not sent and the rejection is a `notSent` error.
   */
  request(msg: Envelope, timeoutMs: number): Promise<Envelope>;
  /** Idempotent; pending requests fail UNAVAILABLE. */
  close(): Promise<void>;
}

/**
 * Opens a Link to `address`. Rejects with a `notSent` UNAVAILABLE error when
 * the node cannot be reached, or UNAUTHORIZED when it refuses the token.
 */
export type Connector = (address: string) => Promise<Link>;

/**
 * An UNAVAILABLE error for a request that provably never left this process
 * (`details.sent === false`), so no node can have applied it.
 */
export function notSent(node: string, reason: string, cause?: unknown): DynamisError {
  return new DynamisError('UNAVAILABLE', `${node}: ${reason}`, { cause, details: { node, sent: false } });
}

/**
 * True when `err` proves the request was not applied anywhere: it never left
 * this process, or the node refused it before it reached its Store
 * (`details.applied === false`, e.g. a node shutting down).
 */
export function provablyNotApplied(err: unknown): boolean {
  if (!(err instanceof DynamisError)) return false;
  return err.details.sent === false || err.details.applied === false;
}

/**
 * `message` without the mentions of `address` that error layers add as they
 * wrap each other (`<address>: ...`, `... to <address>: ...`): whoever reports
 * the failure names the node once.
 */
export function withoutAddress(message: string, address: string): string {
  return message.split(` to ${address}`).join('').split(`${address}: `).join('');
}

export interface WsConnectorOptions {
  readonly clientId: string;
  readonly token: string;
  readonly maxPayloadBytes: number;
  readonly handshakeTimeoutMs: number;
  readonly heartbeatIntervalMs: number;
  /** TLS for every node (README "TLS"); undefined: as each address says (ws:// or wss://). */
  readonly tls?: { readonly ca?: string };
}

/**
 * The default Connector: one @dynamis/transport-ws WsClient per link. Reads
 * `options.tls.ca` once here to fail fast: INVALID_CONFIG naming `tls.ca` and
 * its path when it is missing or not PEM.
 */
export function wsConnector(options: WsConnectorOptions, clock: Clock, logger: Logger): Connector {
  if (options.tls !== undefined) loadTls(options.tls, 'DynamisClient options', clock.now());
  return async (address) => {
    let ws: WsClient;
    try {
      const { clientId, token, maxPayloadBytes, handshakeTimeoutMs, heartbeatIntervalMs, tls } = options;
      const base = { address, clientId, token, maxPayloadBytes, handshakeTimeoutMs, heartbeatIntervalMs };
      ws = new WsClient(tls === undefined ? base : { ...base, tls }, clock, logger);
    } catch (err) {
      throw new DynamisError('INVALID_ARGUMENT', `bad node address or client options for ${address}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    try {
      await ws.connect();
    } catch (err) {
      await ws.close();
      if (err instanceof DynamisError && err.code === 'UNAUTHORIZED') throw err;
      const reason = withoutAddress((err as Error).message, address);
      throw notSent(address, reason.startsWith('cannot connect') ? reason : `cannot connect: ${reason}`, err);
    }
    return new WsLink(ws, address);
  };
}

class WsLink implements Link {
  constructor(
    private readonly ws: WsClient,
    private readonly address: string,
  ) {}

  get isOpen(): boolean {
    return this.ws.server !== undefined;
  }

  request(msg: Envelope, timeoutMs: number): Promise<Envelope> {
    // WsClient sends at once when its connection is open and fails the request otherwise,
    // with the same error code as a loss after sending: tell the two apart here.
    if (!this.isOpen) return Promise.reject(notSent(this.address, 'connection lost before sending'));
    return this.ws.request(msg, { timeoutMs });
  }

  close(): Promise<void> {
    return this.ws.close();
  }
}
