import { asCausalContext, DynamisError, type CausalContext, type Consistency } from '@dynamis/core';

/** `rows` under `headers`, each column left-aligned to its widest cell, two spaces apart; one line per row. */
export function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** A causal context as a command-line token (base64url, no padding); `contextFromToken` reverses it. */
export function contextToken(context: CausalContext): string {
  return Buffer.from(context).toString('base64url');
}

/** The context a `--context` token stands for; INVALID_ARGUMENT naming --context when it is not base64url. */
export function contextFromToken(token: string): CausalContext {
  if (!/^[A-Za-z0-9_-]*$/.test(token)) {
    throw new DynamisError('INVALID_ARGUMENT', `--context must be a token printed by \`dynamis get\` (base64url), got '${token}'`);
  }
  return asCausalContext(new Uint8Array(Buffer.from(token, 'base64url')));
}

/** one | quorum | all | a positive integer; INVALID_ARGUMENT naming --consistency otherwise. */
export function parseConsistency(text: string): Consistency {
  if (text === 'one' || text === 'quorum' || text === 'all') return text;
  if (/^[1-9][0-9]*$/.test(text)) return Number(text);
  throw new DynamisError('INVALID_ARGUMENT', `--consistency must be one, quorum, all or a positive integer, got '${text}'`);
}

/** A non-negative integer option (`name` for the message); INVALID_ARGUMENT otherwise. */
export function parseCount(name: string, text: string, min = 0): number {
  if (!/^[0-9]+$/.test(text) || Number(text) < min || !Number.isSafeInteger(Number(text))) {
    throw new DynamisError('INVALID_ARGUMENT', `${name} must be an integer ≥ ${min}, got '${text}'`);
  }
  return Number(text);
}
