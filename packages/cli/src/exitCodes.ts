import { isDynamisError } from '@dynamis/core';

/**
 * Exit codes of every `dynamis` command (README "Exit codes"), stable for
 * scripts: 0 success, 1 `get` found no live value, 2 usage (bad
 * command, flag, argument or config: nothing was attempted), 3 any other
 * failure (unreachable cluster, quorum not reached, refused token, a node
 * that failed to start or stop).
 */
export const EXIT = { ok: 0, notFound: 1, usage: 2, error: 3 } as const;

/** Codes that mean the user's input was wrong, so nothing was attempted. */
const USAGE_CODES = new Set(['INVALID_ARGUMENT', 'INVALID_CONFIG', 'INVALID_KEY', 'VALUE_TOO_LARGE']);

/** The exit code for a failure `err`: usage for bad input (USAGE_CODES), error otherwise. */
export function exitCodeOf(err: unknown): number {
  return isDynamisError(err) && USAGE_CODES.has(err.code) ? EXIT.usage : EXIT.error;
}
