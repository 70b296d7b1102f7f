import { DynamisError } from '@dynamis/core';

/** What an operation record says: invoked, or its outcome (Jepsen's op types). */
export type OpType = 'invoke' | 'ok' | 'fail' | 'info';

/**
 * The operation: a register write (`put`), read (`get`) or delete (`del`)
 * of one key, an element added to a set (`add`, by read-modify-write), or a
 * read of a whole set (`read-set`).
 */
export type OpFunction = 'put' | 'get' | 'del' | 'add' | 'read-set';

/**
 * One line of a history (README "History format"). An operation is two
 * records sharing `process` and `key`: its `invoke` and then its outcome,
 * `ok` (done), `fail` (provably not applied) or `info` (unknown: it may or may
 * not have been applied, e.g. a timeout or a crashed coordinator; Jepsen's
 * indeterminate op). A process runs one operation at a time, so an outcome
 * completes the last invoke of its process.
 *
 * `value`: for `put` and `add`, the value written (on the invoke and the
 * outcome); for `del`, null; for `get`, null on the invoke and on `ok` the
 * live sibling values read (an empty array: not found); for `read-set`, null
 * on the invoke and on `ok` the elements read (the union of every sibling).
 */
export interface HistoryOp {
  /** Position in the history, from 0. */
  readonly index: number;
  /** The client process (one operation at a time). */
  readonly process: number;
  readonly type: OpType;
  readonly f: OpFunction;
  readonly key: string;
  readonly value: string | readonly string[] | null;
  /** Virtual (or, from the real-process runner, wall-clock) ms since the run started. */
  readonly time: number;
  /** The node that coordinated the operation. */
  readonly node: string;
  /** On a write's `ok`: the written version (its context from the WriteResult), hex. */
  readonly version?: string;
  /** On `fail` / `info`: the error code and message. */
  readonly error?: string;
}

/** An operation with its outcome paired: `completion` undefined while it is still pending. */
export interface PairedOp {
  readonly invoke: HistoryOp;
  readonly completion: HistoryOp | undefined;
}

/** Most records one history keeps: a run that would exceed it fails with INVALID_ARGUMENT rather than growing without bound. */
export const MAX_HISTORY_OPS = 2_000_000;

/**
 * An append-only operation log. `invoke` starts an operation of a process
 * (INVALID_ARGUMENT if that process has one pending), `complete` records its
 * outcome (INVALID_ARGUMENT if none is pending). Ops are never changed once
 * recorded.
 */
export class History {
  private readonly records: HistoryOp[] = [];
  private readonly pending = new Map<number, HistoryOp>();

  constructor(private readonly now: () => number) {}

  /** Every record so far, in order. */
  get ops(): readonly HistoryOp[] {
    return this.records;
  }

  invoke(process: number, f: OpFunction, key: string, value: HistoryOp['value'], node: string): HistoryOp {
    if (this.pending.has(process)) throw new DynamisError('INVALID_ARGUMENT', `process ${process} already has an operation pending`);
    const op = this.append({ process, type: 'invoke', f, key, value, node });
    this.pending.set(process, op);
    return op;
  }

  complete(
    process: number,
    type: Exclude<OpType, 'invoke'>,
    extra: { value?: HistoryOp['value']; version?: string; error?: string } = {},
  ): HistoryOp {
    const invoked = this.pending.get(process);
    if (invoked === undefined) throw new DynamisError('INVALID_ARGUMENT', `process ${process} has no operation pending`);
    this.pending.delete(process);
    return this.append({
      process,
      type,
      f: invoked.f,
      key: invoked.key,
      value: extra.value === undefined ? invoked.value : extra.value,
      node: invoked.node,
      ...(extra.version === undefined ? {} : { version: extra.version }),
      ...(extra.error === undefined ? {} : { error: extra.error }),
    });
  }

  private append(op: Omit<HistoryOp, 'index' | 'time'>): HistoryOp {
    if (this.records.length >= MAX_HISTORY_OPS)
      throw new DynamisError('INVALID_ARGUMENT', `a history holds at most ${MAX_HISTORY_OPS} records`);
    const full: HistoryOp = { index: this.records.length, time: this.now(), ...op };
    this.records.push(full);
    return full;
  }
}

/** Pairs each invoke with its outcome (by process), in invoke order. */
export function pairOps(ops: readonly HistoryOp[]): PairedOp[] {
  const open = new Map<number, { invoke: HistoryOp; completion: HistoryOp | undefined }>();
  const out: { invoke: HistoryOp; completion: HistoryOp | undefined }[] = [];
  for (const op of ops) {
    if (op.type === 'invoke') {
      const p = { invoke: op, completion: undefined };
      open.set(op.process, p);
      out.push(p);
    } else {
      const p = open.get(op.process);
      if (p !== undefined) {
        p.completion = op;
        open.delete(op.process);
      }
    }
  }
  return out;
}

/** The history as JSON lines (one record a line, keys in a fixed order), ending with a newline when not empty. */
export function toJsonLines(ops: readonly HistoryOp[]): string {
  return ops.map((op) => JSON.stringify(op) + '\n').join('');
}

/** Parses JSON lines written by `toJsonLines` (blank lines skipped). Throws INVALID_ARGUMENT naming the first bad line. */
export function parseJsonLines(text: string): HistoryOp[] {
  const out: HistoryOp[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let op: unknown;
    try {
      op = JSON.parse(line);
    } catch (err) {
      throw new DynamisError('INVALID_ARGUMENT', `history line ${i + 1} is not JSON`, { cause: err });
    }
    if (!isOp(op)) throw new DynamisError('INVALID_ARGUMENT', `history line ${i + 1} is not an operation record`);
    out.push(op);
  });
  return out;
}

const TYPES = new Set(['invoke', 'ok', 'fail', 'info']);
const FUNCTIONS = new Set(['put', 'get', 'del', 'add', 'read-set']);

function isOp(x: unknown): x is HistoryOp {
  if (x === null || typeof x !== 'object') return false;
  const o = x as Record<string, unknown>;
  const value = o['value'];
  return (
    Number.isInteger(o['index']) &&
    Number.isInteger(o['process']) &&
    TYPES.has(o['type'] as string) &&
    FUNCTIONS.has(o['f'] as string) &&
    typeof o['key'] === 'string' &&
    typeof o['time'] === 'number' &&
    typeof o['node'] === 'string' &&
    (value === null || typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string')))
  );
}

/** The records touching `keys` (both halves of each operation), in order: what to read when a checker flags those keys. */
export function minimalHistory(ops: readonly HistoryOp[], keys: Iterable<string>): HistoryOp[] {
  const wanted = new Set(keys);
  return ops.filter((op) => wanted.has(op.key));
}

/** One line per record, for humans: `index time process type f key value node [version] [error]`. */
export function formatOps(ops: readonly HistoryOp[]): string {
  return ops
    .map((op) => {
      const value = op.value === null ? 'nil' : typeof op.value === 'string' ? op.value : `[${op.value.join(' ')}]`;
      const extra = [op.version === undefined ? '' : `v=${op.version}`, op.error === undefined ? '' : `err=${op.error}`].filter(Boolean);
      return [
        String(op.index).padStart(6),
        `${op.time}ms`.padStart(9),
        `p${op.process}`,
        op.type.padEnd(6),
        op.f.padEnd(8),
        op.key,
        value,
        `@${op.node}`,
        ...extra,
      ].join(' ');
    })
    .join('\n');
}
