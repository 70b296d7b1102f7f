import type { Logger } from '@dynamis/core';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { clock } from './helpers';
import { createLocalCa, issueCertificate, type CertificatePair } from '../src/tls/localCa';

/** Paths of one node's PEM files. */
export interface NodeTlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** A temporary directory of CAs and node certificates generated at test time (no key is committed). */
export class TestPki {
  readonly dir = mkdtempSync(join(tmpdir(), 'dynamis-tls-'));
  private readonly cas = new Map<string, CertificatePair>();

  /** The PEM path of CA `name` (created on first use). */
  ca(name: string): string {
    this.caPair(name);
    return join(this.dir, `${name}.pem`);
  }

  /** A certificate for `id` naming 127.0.0.1 and localhost, signed by CA `signer`, with `trust` as the CA file to verify peers with. */
  node(id: string, signer: string, trust = signer, options: { nowMs?: number; validDays?: number } = {}): NodeTlsFiles {
    const pair = issueCertificate(this.caPair(signer), {
      commonName: id,
      hosts: ['127.0.0.1', 'localhost'],
      nowMs: clock.now(),
      ...options,
    });
    const cert = join(this.dir, `${id}-${signer}.pem`);
    const key = join(this.dir, `${id}-${signer}-key.pem`);
    writeFileSync(cert, pair.cert);
    writeFileSync(key, pair.key, { mode: 0o600 });
    return { cert, key, ca: this.ca(trust) };
  }

  /** Writes `text` to a file of the temp dir and returns its path. */
  file(name: string, text: string): string {
    const path = join(this.dir, name);
    writeFileSync(path, text);
    return path;
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private caPair(name: string): CertificatePair {
    let pair = this.cas.get(name);
    if (pair === undefined) {
      pair = createLocalCa(clock.now(), `test CA ${name}`);
      this.cas.set(name, pair);
      writeFileSync(join(this.dir, `${name}.pem`), pair.cert);
    }
    return pair;
  }
}

/** A logger that keeps every line (message and fields) for assertions. */
export function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (msg: string, fields?: Record<string, unknown>) =>
    void lines.push(`${level} ${msg} ${JSON.stringify(fields ?? {})}`);
  const logger: Logger & { lines: string[] } = {
    lines,
    debug: log('debug'),
    info: log('info'),
    warn: log('warn'),
    error: log('error'),
    child: () => logger,
  };
  return logger;
}
