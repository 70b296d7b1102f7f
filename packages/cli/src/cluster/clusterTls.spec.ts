import { afterAll, describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newLayout } from './clusterLayout';
import { clusterTls } from './clusterTls';

describe('dynamis cluster --tls: the local CA and node certificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dynamis-cluster-tls-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const layout = newLayout('127.0.0.1', [7001, 7002, 7003]);
  const now = 1_800_000_000_000;

  it('makes a CA and one certificate per node signed by it, naming 127.0.0.1 and localhost, keys mode 0600', () => {
    const { ca, nodes } = clusterTls(dir, layout, now);
    expect(ca).toBe(join(dir, 'tls', 'ca.pem'));
    const authority = new X509Certificate(readFileSync(ca));
    expect([...nodes.keys()]).toEqual(['n1', 'n2', 'n3']);
    for (const [id, files] of nodes) {
      expect(files).toEqual({ cert: join(dir, 'tls', `${id}.pem`), key: join(dir, 'tls', `${id}-key.pem`) });
      const cert = new X509Certificate(readFileSync(files.cert));
      expect(cert.checkIssued(authority)).toBe(true);
      expect(cert.verify(authority.publicKey)).toBe(true);
      expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(cert.subjectAltName).toContain('DNS:localhost');
      expect(statSync(files.key).mode & 0o777).toBe(0o600);
    }
    expect(statSync(join(dir, 'tls', 'ca-key.pem')).mode & 0o777).toBe(0o600);
  });

  it('reuses them on restart', () => {
    const before = readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8');
    const n2 = readFileSync(join(dir, 'tls', 'n2.pem'), 'utf8');
    clusterTls(dir, layout, now + 1000);
    expect(readFileSync(join(dir, 'tls', 'ca.pem'), 'utf8')).toBe(before);
    expect(readFileSync(join(dir, 'tls', 'n2.pem'), 'utf8')).toBe(n2);
  });
});
