import { DynamisError, ERROR_CODES, type ErrorCode, type PortableCompactionFilter } from '@dynamis/core';
import type { CompactionInput } from '../compaction/CompactionStrategy';
import type { OlderData } from '../compaction/olderData';
import type { RangeTombstone } from '../rangedel/RangeTombstone';
import type { CompactionResult, MergeSpec } from '../compaction/runCompaction';
import type { TableBuilderOptions } from '../sstable/TableBuilder';
import { FileMeta } from '../version/FileMeta';

/*
 * The messages between the engine (main thread) and its background worker
 * (BackgroundWorker ↔ workerMain). Everything crosses by structured clone.
 * Jobs (compactions) carry an id; the worker answers each with exactly one
 * `done` or `failed`, and may ask for more file numbers (`needNumbers` →
 * `numbers`) while it runs.
 */

/** The fields of a FileMeta (refs excepted), with keys in buffers of their own. */
export interface FileMetaData {
  readonly number: number;
  readonly size: number;
  readonly entries: number;
  readonly deletions: number;
  readonly rawBytes: number;
  readonly minSeq: number;
  readonly maxSeq: number;
  readonly smallest: Uint8Array;
  readonly largest: Uint8Array;
}

/** A MergeSpec as data. */
export interface MergeSpecData {
  readonly inputs: readonly { readonly level: number; readonly files: readonly FileMetaData[] }[];
  readonly splitOutput: boolean;
  readonly older: OlderData;
  readonly rangeDels: readonly RangeTombstone[];
}

export interface CompactMessage {
  readonly type: 'compact';
  readonly id: number;
  readonly dir: string;
  readonly spec: MergeSpecData;
  readonly builderOptions: TableBuilderOptions;
  readonly targetFileBytes: number;
  /** File numbers reserved for the outputs; the worker asks for more when they run out. */
  readonly numbers: readonly number[];
  readonly filter: PortableCompactionFilter | undefined;
  /** CompactionContext.purgeLogBytes. */
  readonly purgeLogBytes: number;
}

/**
 * Main → worker. `remove`: delete an obsolete file (no answer unless it
 * fails). `stop`: the engine is closing; running jobs stop at their next
 * checkpoint (failed, aborted), and `stopped` answers once the messages
 * before it are handled.
 */
export type ToWorker =
  | CompactMessage
  | { readonly type: 'numbers'; readonly id: number; readonly numbers: readonly number[] }
  | { readonly type: 'remove'; readonly path: string }
  | { readonly type: 'stop' };

/** Why a job failed, as the engine must treat it. */
export type FailureKind =
  /** Any failure but the ones below: the same path as an inline failure. */
  | 'error'
  /** The compaction filter threw (or decided something malformed). */
  | 'filter'
  /** The portable filter could not be built in the worker (run the job inline). */
  | 'filter-load'
  /** Stopped by `stop`. */
  | 'aborted';

/** A serialized error: a DynamisError keeps its code, message and details. */
export interface ErrorData {
  readonly code: string | undefined;
  readonly message: string;
  readonly details: Record<string, unknown> | undefined;
  readonly cause: string | undefined;
}

export interface CompactionResultData extends Omit<CompactionResult, 'outputs'> {
  readonly outputs: FileMetaData[];
}

/** Worker → main. `ready` is sent once, when the worker has loaded. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'needNumbers'; readonly id: number; readonly count: number }
  | { readonly type: 'done'; readonly id: number; readonly result: CompactionResultData }
  | { readonly type: 'failed'; readonly id: number; readonly kind: FailureKind; readonly error: ErrorData }
  | { readonly type: 'removeFailed'; readonly path: string; readonly error: ErrorData }
  | { readonly type: 'stopped' };

export function fileMetaToData(f: FileMeta): FileMetaData {
  return {
    number: f.number,
    size: f.size,
    entries: f.entries,
    deletions: f.deletions,
    rawBytes: f.rawBytes,
    minSeq: f.minSeq,
    maxSeq: f.maxSeq,
    smallest: f.smallest.slice(),
    largest: f.largest.slice(),
  };
}

export function fileMetaFromData(d: FileMetaData): FileMeta {
  return new FileMeta(d.number, d.size, d.entries, d.deletions, d.rawBytes, d.minSeq, d.maxSeq, d.smallest, d.largest);
}

export function specToData(spec: MergeSpec): MergeSpecData {
  const inputs = spec.inputs.map((input) => ({ level: input.level, files: input.files.map(fileMetaToData) }));
  return { inputs, splitOutput: spec.splitOutput, older: spec.older, rangeDels: spec.rangeDels };
}

export function specFromData(d: MergeSpecData): MergeSpec {
  const inputs: CompactionInput[] = d.inputs.map((input) => ({ level: input.level, files: input.files.map(fileMetaFromData) }));
  return { inputs, splitOutput: d.splitOutput, older: d.older, rangeDels: d.rangeDels };
}

export function resultToData(r: CompactionResult): CompactionResultData {
  return { ...r, outputs: r.outputs.map(fileMetaToData) };
}

export function resultFromData(d: CompactionResultData): CompactionResult {
  return { ...d, outputs: d.outputs.map(fileMetaFromData) };
}

function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && (ERROR_CODES as readonly string[]).includes(code);
}

/** `err` as data. Duck-typed, so a DynamisError of another copy of the core keeps its code. */
export function errorToData(err: unknown): ErrorData {
  const e = err as { code?: unknown; message?: unknown; details?: unknown; cause?: unknown } | null | undefined;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const code = isErrorCode(e?.code) ? e.code : undefined;
  let details: Record<string, unknown> | undefined;
  if (code !== undefined && typeof e?.details === 'object' && e.details !== null) {
    try {
      details = JSON.parse(JSON.stringify(e.details)) as Record<string, unknown>;
    } catch {
      details = undefined;
    }
  }
  const cause = e?.cause === undefined ? undefined : e.cause instanceof Error ? e.cause.message : String(e.cause);
  return { code, message, details, cause };
}

/** The error `d` describes: a DynamisError with the same code, message and details, or a plain Error. */
export function errorFromData(d: ErrorData): Error {
  const cause = d.cause === undefined ? undefined : new Error(d.cause);
  if (isErrorCode(d.code)) return new DynamisError(d.code, d.message, { details: d.details ?? {}, cause });
  return new Error(d.message, cause === undefined ? undefined : { cause });
}
