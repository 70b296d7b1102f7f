/**
 * Names of the files in a database directory (docs/format.md, "Manifest"):
 * `NNNNNN.log` (WAL), `NNNNNN.sst` (table), `MANIFEST-NNNNNN`, `CURRENT`,
 * `CURRENT.tmp` (CURRENT being replaced), `LOCK`. Numbers come from one
 * counter (VersionSet.nextFileNumber), zero-padded to at least 6 digits.
 */

/** The kinds of file a database directory holds. */
export type FileKind = 'log' | 'table' | 'manifest' | 'current' | 'temp' | 'lock';

/** A parsed file name. `number` is 0 for CURRENT, CURRENT.tmp and LOCK. */
export interface ParsedFileName {
  readonly kind: FileKind;
  readonly number: number;
}

function pad(n: number): string {
  return String(n).padStart(6, '0');
}

export function logFileName(dir: string, n: number): string {
  return `${dir}/${pad(n)}.log`;
}

export function tableFileName(dir: string, n: number): string {
  return `${dir}/${pad(n)}.sst`;
}

export function manifestFileName(dir: string, n: number): string {
  return `${dir}/MANIFEST-${pad(n)}`;
}

export function currentFileName(dir: string): string {
  return `${dir}/CURRENT`;
}

export function tempCurrentFileName(dir: string): string {
  return `${dir}/CURRENT.tmp`;
}

export function lockFileName(dir: string): string {
  return `${dir}/LOCK`;
}

/** The base name of a manifest (what CURRENT holds, without the newline). */
export function manifestBaseName(n: number): string {
  return `MANIFEST-${pad(n)}`;
}

/** Parses a base name; undefined for names this engine did not make. */
export function parseFileName(name: string): ParsedFileName | undefined {
  if (name === 'CURRENT') return { kind: 'current', number: 0 };
  if (name === 'CURRENT.tmp') return { kind: 'temp', number: 0 };
  if (name === 'LOCK') return { kind: 'lock', number: 0 };
  let m = /^MANIFEST-(\d{6,16})$/.exec(name);
  if (m !== null) return { kind: 'manifest', number: Number(m[1]) };
  m = /^(\d{6,16})\.(log|sst)$/.exec(name);
  if (m !== null) return { kind: m[2] === 'log' ? 'log' : 'table', number: Number(m[1]) };
  return undefined;
}
