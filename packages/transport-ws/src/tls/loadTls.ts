import { DynamisError } from '@dynamis/core';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';

/** The PEM files of a `tls` option, read and checked. */
export interface TlsMaterial {
  readonly cert: Buffer | undefined;
  readonly key: Buffer | undefined;
  readonly ca: Buffer | undefined;
  readonly mutual: boolean;
}

/** Paths as validated by tlsOptionsSchema / clientTlsOptionsSchema. */
export interface TlsPaths {
  readonly cert?: string;
  readonly key?: string;
  readonly ca?: string;
  readonly mutual?: boolean;
}

/**
 * Reads and checks the files of `paths` (synchronously: this runs once, when
 * a transport or client is constructed). Throws INVALID_CONFIG naming the
 * option (`tls.cert`, `tls.key`, `tls.ca`) and the path when a file is
 * missing or unreadable, holds no PEM certificate / private key, when the
 * certificate expired or is not yet valid at `nowMs`, or when the key does not
 * belong to the certificate. `where` prefixes the message (e.g. "options of
 * @dynamis/transport-ws"). Never echoes file contents.
 */
export function loadTls(paths: TlsPaths, where: string, nowMs: number): TlsMaterial {
  const cert = paths.cert === undefined ? undefined : read(paths.cert, 'tls.cert', where);
  const key = paths.key === undefined ? undefined : read(paths.key, 'tls.key', where);
  const ca = paths.ca === undefined ? undefined : read(paths.ca, 'tls.ca', where);
  if (cert !== undefined) checkCertificate(cert, 'tls.cert', paths.cert!, where, nowMs);
  if (ca !== undefined) checkCertificate(ca, 'tls.ca', paths.ca!, where, undefined);
  if (key !== undefined) {
    try {
      createPrivateKey(key);
    } catch (err) {
      throw invalid(where, 'tls.key', paths.key!, `holds no usable PEM private key (${(err as Error).message})`, err);
    }
  }
  if (cert !== undefined && key !== undefined) {
    try {
      createSecureContext({ cert, key, ...(ca === undefined ? {} : { ca }) });
    } catch (err) {
      throw invalid(where, 'tls.key', paths.key!, `does not match tls.cert ${paths.cert!} (${(err as Error).message})`, err);
    }
  }
  return { cert, key, ca, mutual: paths.mutual === true };
}

function read(path: string, option: string, where: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw invalid(where, option, path, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, err);
  }
}

/** The first certificate of `pem` must parse and, when `nowMs` is given, be valid then. */
function checkCertificate(pem: Buffer, option: string, path: string, where: string, nowMs: number | undefined): void {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(pem);
  } catch (err) {
    throw invalid(where, option, path, 'holds no PEM certificate', err);
  }
  if (nowMs === undefined) return;
  if (Date.parse(x509.validTo) < nowMs) throw invalid(where, option, path, `expired on ${x509.validTo}`);
  if (Date.parse(x509.validFrom) > nowMs) throw invalid(where, option, path, `is not valid before ${x509.validFrom}`);
}

function invalid(where: string, option: string, path: string, why: string, cause?: unknown): DynamisError {
  const message = `${option}: '${path}' ${why}`;
  return new DynamisError('INVALID_CONFIG', `Invalid ${where}:\n  - ${message}`, {
    ...(cause === undefined ? {} : { cause }),
    details: { problems: [{ path: option, message }] },
  });
}
