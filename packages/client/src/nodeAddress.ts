/**
 * Why `address` cannot name a node, or undefined when it can. A node address
 * is what @dynamis/transport-ws dials: `ws://host:port`, `wss://host:port`
 * (TLS; a trailing `/` allowed) or bare `host:port` (IPv6 hosts in brackets;
 * dialled over TLS when the client has a `tls` option). Anything else
 * (`http://…`, a path, no port, not a URL) is a configuration error, reported
 * when the client is created rather than as UNAVAILABLE on first use. Pure.
 */
export function nodeAddressProblem(address: string): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(address)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== 'ws' && scheme !== 'wss')
    return `must be ws://host:port, wss://host:port or host:port, not ${scheme}://`;
  let url: URL;
  try {
    url = new URL(scheme === undefined ? `ws://${address}` : address.replace(/^wss:/i, 'ws:'));
  } catch {
    return 'is not a URL (expected ws://host:port or host:port)';
  }
  if (url.hostname === '') return 'has no host (expected ws://host:port)';
  if (url.port === '') return 'has no port (expected ws://host:port)';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    return 'must be just ws://host:port (no path, query or credentials)';
  return undefined;
}
