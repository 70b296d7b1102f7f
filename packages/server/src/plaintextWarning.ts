import { isLoopback } from '@dynamis/admin';

/**
 * The warning a node logs once at start when it serves plain ws (no
 * `transport.tls`) on an address that is not loopback (127.0.0.0/8, ::1,
 * localhost): peers and clients elsewhere would talk to it in clear text
 * (the HMAC handshake authenticates, but does not encrypt). Undefined when
 * there is nothing to warn about. `address` is what the transport reports
 * (`ws://host:port`, `wss://…`). Pure.
 */
export function plaintextWarning(address: string, tls: unknown): string | undefined {
  if (tls !== undefined || address.startsWith('wss://')) return undefined;
  const host = new URL(address).hostname.replace(/^\[(.*)\]$/, '$1');
  if (isLoopback(host)) return undefined;
  return `listening on ${address} without TLS: node-to-node and client traffic is not encrypted; set transport.tls (--tls-cert/--tls-key/--tls-ca) for any address beyond loopback`;
}
