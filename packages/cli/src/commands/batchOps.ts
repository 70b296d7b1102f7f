import { DynamisError } from '@dynamis/core';

/** One op of a `dynamis batch` input, with its line number (1-based) for messages. */
export type BatchLine =
  | { readonly line: number; readonly type: 'put'; readonly key: string; readonly value: string; readonly ttlMs?: number }
  | { readonly line: number; readonly type: 'del'; readonly key: string };

/** Largest `dynamis batch` input read (bytes); a bigger one is refused before anything is sent. */
export const MAX_BATCH_INPUT_BYTES = 64 * 1024 * 1024;

/**
 * Parses a `dynamis batch` input (README "batch"): one op per line, either
 * `put KEY VALUE` (VALUE is the rest of the line after one space, spaces
 * kept) / `del KEY`, or a JSON object `{"op":"put","key","value","ttl"?}` /
 * `{"op":"del","key"}`. Blank lines and lines starting with `#` are skipped.
 * INVALID_ARGUMENT naming the first bad line (nothing is sent then).
 */
export function parseBatchInput(text: string): BatchLine[] {
  const ops: BatchLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!.replace(/\r$/, '');
    if (raw.trim() === '' || raw.startsWith('#')) continue;
    ops.push(raw.trimStart().startsWith('{') ? jsonOp(raw, i + 1) : textOp(raw, i + 1));
  }
  return ops;
}

function textOp(raw: string, line: number): BatchLine {
  const m = /^(put|del) (\S+)(?: (.*))?$/.exec(raw);
  if (m === null) throw bad(line, 'expected `put KEY VALUE` or `del KEY`');
  const [, verb, key, value] = m;
  if (verb === 'del') {
    if (value !== undefined) throw bad(line, '`del KEY` takes no value');
    return { line, type: 'del', key: key! };
  }
  if (value === undefined) throw bad(line, '`put KEY VALUE` needs a value');
  return { line, type: 'put', key: key!, value };
}

function jsonOp(raw: string, line: number): BatchLine {
  let o: unknown;
  try {
    o = JSON.parse(raw);
  } catch {
    throw bad(line, 'not valid JSON');
  }
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw bad(line, 'expected a JSON object');
  const { op, key, value, ttl, ...rest } = o as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw bad(line, `unknown field ${JSON.stringify(Object.keys(rest)[0])}`);
  if (typeof key !== 'string') throw bad(line, '"key" must be a string');
  if (op === 'del') {
    if (value !== undefined || ttl !== undefined) throw bad(line, 'a del takes no "value" or "ttl"');
    return { line, type: 'del', key };
  }
  if (op !== 'put') throw bad(line, '"op" must be "put" or "del"');
  if (typeof value !== 'string') throw bad(line, '"value" must be a string');
  if (ttl === undefined) return { line, type: 'put', key, value };
  if (!Number.isSafeInteger(ttl) || (ttl as number) < 1) throw bad(line, '"ttl" must be a positive integer (ms)');
  return { line, type: 'put', key, value, ttlMs: ttl as number };
}

function bad(line: number, why: string): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', `batch input line ${line}: ${why}`, { details: { line } });
}
