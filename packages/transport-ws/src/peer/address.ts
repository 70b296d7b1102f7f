import { DynamisError } from '@dynamis/core';

/**
 * Normalises a peer address to the URL this side dials: `wss://host:port`
 * when `secure` (the transport or client has a `tls` option, or the address
 * says wss), else `ws://host:port`. Accepts `ws://host:port`,
 * `wss://host:port` (a trailing `/` is allowed) and bare `host:port` (IPv6
 * hosts in brackets). A secure dialer dials `ws://` addresses over TLS too (a
 * TLS node never speaks plain ws); a `wss://` address on a dialer without
 * `tls` is dialled over TLS verified against Node's built-in roots. Throws
 * INVALID_ARGUMENT for anything else.
 */
export function normalizeAddress(address: string, secure = false): string {
  if (typeof address !== 'string' || address.length === 0 || address.length > 512) {
    throw new DynamisError('INVALID_ARGUMENT', 'a peer address must be a non-empty string');
  }
  const withScheme = address.includes('://') ? address : `ws://${address}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new DynamisError(
      'INVALID_ARGUMENT',
      `'${address}' is not a valid address (expected ws://host:port, wss://host:port or host:port)`,
    );
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:')
    throw new DynamisError('INVALID_ARGUMENT', `unsupported scheme in '${address}' (only ws:// and wss://)`);
  if (url.port === '' || url.hostname === '' || (url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.username !== '') {
    throw new DynamisError('INVALID_ARGUMENT', `'${address}' must be ws://host:port or wss://host:port`);
  }
  return `${secure || url.protocol === 'wss:' ? 'wss' : 'ws'}://${url.host}`;
}

/** The address of a listening socket, as `address()` reports it: wss:// when it serves TLS. */
export function formatAddress(host: string, port: number, secure = false): string {
  const scheme = secure ? 'wss' : 'ws';
  return host.includes(':') ? `${scheme}://[${host}]:${port}` : `${scheme}://${host}:${port}`;
}
