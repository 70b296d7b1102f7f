import { DynamisError } from '@dynamis/core';

/**
 * The one way this package reports damaged bytes: CORRUPTION with
 * `details: { file, offset }` (offset = absolute byte offset in the file
 * where the damaged unit starts) plus any extra details.
 */
export function corruption(message: string, file: string, offset: number, extra?: Record<string, unknown>): DynamisError {
  return new DynamisError('CORRUPTION', `${file} @${offset}: ${message}`, {
    details: { file, offset, ...extra },
  });
}

/** INVALID_ARGUMENT for a caller's mistake (bad order, bad sequence, ...). */
export function invalidArgument(message: string, details?: Record<string, unknown>): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', message, details === undefined ? {} : { details });
}
