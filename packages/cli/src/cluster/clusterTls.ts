import { createLocalCa, issueCertificate } from '@dynamis/transport-ws';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ClusterLayout } from './clusterLayout';

/** Where `dynamis cluster --tls` keeps its CA and node certificates, under the data dir. */
export const TLS_DIR = 'tls';

/** The files of one node: its certificate and key (PEM paths). */
export interface NodeTls {
  readonly cert: string;
  readonly key: string;
}

/**
 * The local CA (`tls/ca.pem`, its key `tls/ca-key.pem`) and one certificate
 * per node (`tls/<id>.pem`, `tls/<id>-key.pem`, naming 127.0.0.1, localhost
 * and the layout's host) in `dir`: made on first use, reused as they are
 * afterwards (a restart keeps its CA, so a CLI given `--ca` still trusts it).
 * Keys are written mode 0600. Returns the CA path and each node's files.
 */
export function clusterTls(dir: string, layout: ClusterLayout, nowMs: number): { ca: string; nodes: Map<string, NodeTls> } {
  const tlsDir = join(dir, TLS_DIR);
  mkdirSync(tlsDir, { recursive: true, mode: 0o700 });
  const ca = join(tlsDir, 'ca.pem');
  const caKey = join(tlsDir, 'ca-key.pem');
  let authority: { cert: string; key: string } | undefined;
  if (!existsSync(ca) || !existsSync(caKey)) {
    authority = createLocalCa(nowMs, 'Dynamis local cluster CA');
    writeFileSync(caKey, authority.key, { mode: 0o600 });
    writeFileSync(ca, authority.cert);
  }
  const nodes = new Map<string, NodeTls>();
  const hosts = [...new Set(['127.0.0.1', 'localhost', layout.host])];
  for (const { id } of layout.nodes) {
    const files = { cert: join(tlsDir, `${id}.pem`), key: join(tlsDir, `${id}-key.pem`) };
    if (authority !== undefined || !existsSync(files.cert) || !existsSync(files.key)) {
      authority ??= { cert: readFileSync(ca, 'utf8'), key: readFileSync(caKey, 'utf8') };
      const pair = issueCertificate(authority, { commonName: id, hosts, nowMs });
      writeFileSync(files.key, pair.key, { mode: 0o600 });
      writeFileSync(files.cert, pair.cert);
    }
    nodes.set(id, files);
  }
  return { ca, nodes };
}
