import type { PeerCertificate } from 'node:tls';

/**
 * The node id a certificate names: its subject's common name (CN), as
 * `dynamis cluster --tls` and issueCertificate write it. undefined when it
 * has none (or several).
 */
export function certificateNodeId(cert: PeerCertificate | Record<string, never> | undefined): string | undefined {
  const cn = (cert as PeerCertificate | undefined)?.subject?.CN as unknown;
  return typeof cn === 'string' && cn.length > 0 ? cn : undefined;
}

/**
 * Why a peer's certificate does not vouch for node id `id` under mutual
 * TLS, or undefined when it does (its CN is `id`). With the cluster secret
 * alone any insider can claim any id; binding ids to certificates the
 * cluster CA signed stops one node from answering as many (gossip's
 * invented members that answer) or as another.
 */
export function certificateIdMismatch(cert: PeerCertificate | Record<string, never> | undefined, id: string): string | undefined {
  const named = certificateNodeId(cert);
  if (named === id) return undefined;
  return named === undefined ? `its certificate names no node id (CN), not ${id}` : `its certificate names ${named}, not ${id}`;
}
