/**
 * Stable error codes. Each is documented in docs/errors.md; codes never change
 * meaning once released. A missing key is never an error.
 */
export const ERROR_CODES = [
  'INVALID_KEY',
  'VALUE_TOO_LARGE',
  'INVALID_ARGUMENT',
  'INVALID_CONFIG',
  'QUORUM_NOT_REACHED',
  'TIMEOUT',
  'CORRUPTION',
  'CONFLICT',
  'UNAVAILABLE',
  'NOT_OPEN',
  'MISSING_PROVIDER',
  'DUPLICATE_PROVIDER',
  'INCOMPATIBLE_PLUGIN',
  'PLUGIN_FAILED',
  'PROTOCOL_ERROR',
  'UNAUTHORIZED',
  'IO_ERROR',
  'INCOMPATIBLE_DATA',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface DynamisErrorOptions {
  /** The underlying error, if this one wraps another. */
  cause?: unknown;
  /** Structured, JSON-safe details (which path, which peers answered, ...). */
  details?: Record<string, unknown>;
}

/**
 * The one error class of Dynamis. Branch on `code`, never on `message`.
 */
export class DynamisError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown>;

  constructor(code: ErrorCode, message: string, options: DynamisErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DynamisError';
    this.code = code;
    this.details = options.details ?? {};
  }

  /** JSON-safe form, used on the wire and in logs. */
  toJSON(): { code: ErrorCode; message: string; details: Record<string, unknown> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}

/** True when `err` is a DynamisError, optionally with the given code. */
export function isDynamisError(err: unknown, code?: ErrorCode): err is DynamisError {
  return err instanceof DynamisError && (code === undefined || err.code === code);
}

/** `error CODE: message` (one line, newline-terminated): how every Dynamis command reports a failure on stderr. */
export function errorLine(err: unknown): string {
  const code = isDynamisError(err) ? err.code : 'ERROR';
  return `error ${code}: ${(err as Error | undefined)?.message ?? String(err)}\n`;
}
