import { DynamisError } from '@dynamis/core';

/** The `code` of `err` and of its `cause` chain (abstract-level wraps open failures: LEVEL_DATABASE_NOT_OPEN caused by LEVEL_LOCKED). */
function levelCodes(err: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 8; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

/**
 * A LevelDB (abstract-level) failure as a DynamisError, the original as its
 * `cause`: LEVEL_LOCKED → UNAVAILABLE (`reason: 'locked'`: another process
 * or engine instance holds the directory), LEVEL_CORRUPTION → CORRUPTION,
 * a database that is not open → NOT_OPEN, anything else → IO_ERROR. A
 * DynamisError passes through unchanged. `path` is the engine's directory.
 */
export function levelError(err: unknown, operation: string, path: string): DynamisError {
  if (err instanceof DynamisError) return err;
  const codes = levelCodes(err);
  const message = err instanceof Error ? err.message : String(err);
  const details = { path, operation, levelCode: codes[codes.length - 1] ?? null };
  if (codes.includes('LEVEL_LOCKED')) {
    return new DynamisError('UNAVAILABLE', `LevelDB directory ${path} is locked by another process or engine instance`, {
      cause: err,
      details: { ...details, reason: 'locked' },
    });
  }
  if (codes.includes('LEVEL_CORRUPTION')) {
    return new DynamisError('CORRUPTION', `LevelDB ${operation} in ${path} found corrupt data: ${message}`, {
      cause: err,
      details: { ...details, where: 'leveldb', file: path },
    });
  }
  if (codes.length === 1 && (codes[0] === 'LEVEL_DATABASE_NOT_OPEN' || codes[0] === 'LEVEL_ITERATOR_NOT_OPEN')) {
    return new DynamisError('NOT_OPEN', `LevelDB ${operation}: the database is not open`, { cause: err, details });
  }
  return new DynamisError('IO_ERROR', `LevelDB ${operation} in ${path} failed: ${message}`, { cause: err, details });
}
