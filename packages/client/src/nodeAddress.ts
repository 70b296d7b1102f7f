/**
 * Why `address` cannot name a node, or undefined when it can. A node address
 * is what @dynamis/transport-ws dials: `ws://host:port` (a trailing `/`
 * allowed) or bare `host:port` (IPv6 hosts in brackets). Anything else
 * (`http://…`, `wss://…` — TLS is not supported yet —, a path, no port, not a
 * URL) is a configuration error, reported when the client is created rather
 * than as UNAVAILABLE on first use. Pure.
 */
export function nodeAddressProblem(address: string): string | undefined {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(address)?.[1]?.toLowerCase();
  if (scheme === 'wss') return 'wss:// (TLS) is not supported by @dynamis/transport-ws; use ws://host:port';
  if (scheme !== undefined && scheme !== 'ws') return `must be ws://host:port or host:port, not ${scheme}://`;
  let url: URL;
  try {
    url = new URL(scheme === undefined ? `ws://${address}` : address);
  } catch {
    return 'is not a URL (expected ws://host:port or host:port)';
  }
  if (url.hostname === '') return 'has no host (expected ws://host:port)';
  if (url.port === '') return 'has no port (expected ws://host:port)';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '')
    return 'must be just ws://host:port (no path, query or credentials)';
  return undefined;
}
