import type { WriteStream } from 'node:fs';

/** The operations of the workload. */
export type OpFunction = 'put' | 'get' | 'del';

/**
 * One line of a history (JSON lines, the format the simulation runner
 * writes too): an `invoke`, then exactly one completion of the same
 * `process` — `ok` (acknowledged; for a get, `value` is what it read),
 * `fail` (certainly not applied) or `info` (unknown outcome: a timeout, a
 * lost connection; a write may or may not have been applied).
 */
export interface HistoryEntry {
  readonly process: number;
  readonly type: 'invoke' | 'ok' | 'fail' | 'info';
  readonly f: OpFunction;
  readonly key: string;
  /** put: the value written; get ok: the value read (null: not found; an array: several siblings); del: null. */
  readonly value: string | null | string[];
  /** Milliseconds since the start of the run. */
  readonly time: number;
  /** The node the request was sent to (its coordinator). */
  readonly node: string;
  /** Why it failed (fail/info only): the error code and message. */
  readonly error?: string;
}

/**
 * The history of a run, in completion order, kept in memory for the
 * checkers and streamed to `out` (one JSON object per line) when given.
 * Bounded by the run: the workload issues at most one request per process
 * at a time and the run has a fixed length.
 */
export class History {
  readonly entries: HistoryEntry[] = [];

  constructor(private readonly out?: WriteStream) {}

  add(entry: HistoryEntry): void {
    this.entries.push(entry);
    this.out?.write(`${JSON.stringify(entry)}\n`);
  }

  /** Closes the output stream (if any) once everything is written. */
  async close(): Promise<void> {
    const out = this.out;
    if (out !== undefined) await new Promise<void>((resolve) => out.end(resolve));
  }
}
