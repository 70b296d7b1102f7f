import { DynamisError } from '@dynamis/core';

/**
 * Normalises a peer address to a `ws://host:port` URL. Accepts
 * `ws://host:port` (a trailing `/` is allowed) and bare `host:port`
 * (IPv6 hosts in brackets). Throws INVALID_ARGUMENT for anything else,
 * including `wss://` (TLS is not supported by this transport).
 */
export function normalizeAddress(address: string): string {
  if (typeof address !== 'string' || address.length === 0 || address.length > 512) {
    throw new DynamisError('INVALID_ARGUMENT', 'a peer address must be a non-empty string');
  }
  const withScheme = address.includes('://') ? address : `ws://${address}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new DynamisError('INVALID_ARGUMENT', `'${address}' is not a valid address (expected ws://host:port or host:port)`);
  }
  if (url.protocol !== 'ws:') throw new DynamisError('INVALID_ARGUMENT', `unsupported scheme in '${address}' (only ws://)`);
  if (url.port === '' || url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.username !== '') {
    throw new DynamisError('INVALID_ARGUMENT', `'${address}' must be ws://host:port`);
  }
  return `ws://${url.host}`;
}

/** The address of a listening socket, as `address()` reports it. */
export function formatAddress(host: string, port: number): string {
  return host.includes(':') ? `ws://[${host}]:${port}` : `ws://${host}:${port}`;
}
