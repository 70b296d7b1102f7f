import { DynamisError, type CompactionDecision, type CompactionFilter, type FileSystem } from '@dynamis/core';
import { LevelIterator } from '../iterator/LevelIterator';
import { MergingIterator } from '../iterator/MergingIterator';
import type { TableBuilderOptions } from '../sstable/TableBuilder';
import { RangeDelSet, type RangeTombstone } from '../rangedel/RangeTombstone';
import { ByteBuffer } from '../util/ByteBuffer';
import { compareRange, KIND_DELETION, KIND_VALUE } from '../util/internalKey';
import type { InternalIterator } from '../util/InternalIterator';
import type { FileMeta } from '../version/FileMeta';
import type { Version } from '../version/Version';
import type { CompactionInput, CompactionJob } from './CompactionStrategy';
import type { TableReader } from '../sstable/TableReader';
import { hasNoOlderData, olderDataOf, type OlderData } from './olderData';
import { PurgeLog, type PurgeLogData } from './PurgeLog';
import { TableOutputs } from './TableOutputs';

/** Entries merged between two yields to the event loop. */
export const YIELD_EVERY_ENTRIES = 2048;

/** What a merge needs from its thread: files, the filter, when to stop. */
export interface CompactionContext {
  readonly fs: FileSystem;
  readonly dir: string;
  /** Opens an input table for one sequential read (a reader the merge closes; blocks not cached). */
  openTable(file: FileMeta): TableReader;
  readonly builderOptions: TableBuilderOptions;
  readonly targetFileBytes: number;
  /** A fresh file number for the next output file (synchronous; see afterCut). */
  newFileNumber(): number;
  /** The filter to run on live values (undefined: keep everything). */
  readonly filter: CompactionFilter | undefined;
  /** Bound of the merge's PurgeLog (compaction.purgeReportBytes). */
  readonly purgeLogBytes: number;
  /** True when the engine is closing: the merge then stops with CompactionAborted. */
  shouldStop(): boolean;
  /** Awaited after an output file is cut, before the next one takes a number (the worker tops up its numbers). */
  afterCut?(): Promise<void>;
}

/** The data of one merge: what runCompaction takes from a job and its version (cloneable, see mergeInputs). */
export interface MergeSpec {
  readonly inputs: readonly CompactionInput[];
  readonly splitOutput: boolean;
  readonly older: OlderData;
  /** The range tombstones of the version: entries they delete are left out. */
  readonly rangeDels: readonly RangeTombstone[];
}

/** What a merge produced. */
export interface CompactionResult {
  readonly outputs: FileMeta[];
  readonly bytesRead: number;
  readonly bytesWritten: number;
  readonly entriesIn: number;
  readonly entriesOut: number;
  readonly filterRemoved: number;
  readonly filterReplaced: number;
  /** What the filter purged, to report once the result is committed (never before). */
  readonly purged: PurgeLogData;
}

/** Thrown inside a merge stopped by `shouldStop` (the engine is closing). */
export class CompactionAborted extends Error {
  constructor() {
    super('compaction stopped: the engine is closing');
  }
}

/** Yields to the event loop so foreground reads and writes keep flowing. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The periodic stop of a long loop: one event-loop turn, then CompactionAborted if stopping. */
export async function checkpoint(ctx: Pick<CompactionContext, 'shouldStop'>): Promise<void> {
  await yieldToEventLoop();
  if (ctx.shouldStop()) throw new CompactionAborted();
}

/** A flag set when a watched filter threw, so a caller can tell a broken filter from other failures. */
export interface FilterWatch {
  threw: boolean;
}

/** `filter` with its decisions checked (checkDecision); any throw also sets `watch.threw`. */
export function watchFilter(filter: CompactionFilter, watch: FilterWatch): CompactionFilter {
  return (key, value) => {
    try {
      return checkDecision(filter(key, value), key);
    } catch (err) {
      watch.threw = true;
      throw err;
    }
  };
}

/**
 * Merges the input files of `job` (read through `version`, which the caller
 * holds) into new tables for `job.outputLevel`: per user key only the
 * newest entry survives; a deletion marker is dropped when no older data of
 * its key can exist outside the inputs; an entry a newer range tombstone of
 * the version deletes is dropped (the tombstone stays in the manifest and
 * goes on hiding older data below; snapshots read the files they pinned);
 * live values go through the filter
 * ('remove' → a deletion marker, or nothing when nothing older can exist;
 * 'replace' → the new value, same sequence number; both logged in the
 * result's `purged`). Output files and the directory entries naming them
 * are durable when it resolves.
 * On any failure every output file is removed and the error rethrown; a
 * malformed filter decision is INVALID_ARGUMENT.
 */
export function runCompaction(job: CompactionJob, version: Version, ctx: CompactionContext): Promise<CompactionResult> {
  return mergeInputs(mergeSpecOf(job, version), ctx);
}

/** The MergeSpec of `job` over `version`: inputs, output splitting, where older data may live. */
export function mergeSpecOf(job: CompactionJob, version: Version): MergeSpec {
  return { inputs: job.inputs, splitOutput: job.splitOutput, older: olderDataOf(job, version), rangeDels: version.rangeDels };
}

/**
 * The body of runCompaction, on whichever thread runs it (the engine's, or
 * the background worker's with a spec it received): merges `spec.inputs`
 * per runCompaction's contract, with the same result and failures.
 */
export async function mergeInputs(spec: MergeSpec, ctx: CompactionContext): Promise<CompactionResult> {
  const readers: TableReader[] = [];
  const open = (f: FileMeta): InternalIterator => {
    const reader = ctx.openTable(f);
    readers.push(reader);
    return reader.iterator();
  };
  const target = spec.splitOutput ? ctx.targetFileBytes : Infinity;
  const out = new TableOutputs(ctx.fs, ctx.dir, () => ctx.newFileNumber(), ctx.builderOptions, target);
  try {
    const it = new MergingIterator(inputIterators(spec.inputs, open));
    const purges = new PurgeLog(ctx.purgeLogBytes);
    const counts = await merge(it, out, ctx, hasNoOlderData(spec.older), new RangeDelSet([spec.rangeDels]), purges);
    const outputs = await out.finish();
    let bytesRead = 0;
    for (const input of spec.inputs) for (const f of input.files) bytesRead += f.size;
    return { outputs, bytesRead, bytesWritten: out.bytesWritten, ...counts, purged: purges.data() };
  } catch (err) {
    await out.abandon();
    throw err;
  } finally {
    for (const r of readers) closeQuietly(r);
  }
}

type MergeCounts = Pick<CompactionResult, 'entriesIn' | 'entriesOut' | 'filterRemoved' | 'filterReplaced'>;

/** The merge loop of runCompaction: newest entry per key, filter, deletion markers dropped at the base. */
async function merge(
  it: MergingIterator,
  out: TableOutputs,
  ctx: CompactionContext,
  isBase: (key: Uint8Array) => boolean,
  rangeDels: RangeDelSet,
  purges: PurgeLog,
): Promise<MergeCounts> {
  const counts = { entriesIn: 0, entriesOut: 0, filterRemoved: 0, filterReplaced: 0 };
  const last = new ByteBuffer(64);
  for (it.seekToFirst(); it.valid; it.next()) {
    if (++counts.entriesIn % YIELD_EVERY_ENTRIES === 0) await checkpoint(ctx);
    const key = it.key;
    if (counts.entriesIn > 1 && compareRange(key, 0, key.length, last.buf, 0, last.length) === 0) continue; // an older version
    last.reset();
    last.putBytes(key);
    if (!rangeDels.empty && rangeDels.covers(key, it.seq)) continue;
    let kind = it.kind;
    let value = it.value;
    if (kind === KIND_VALUE && ctx.filter !== undefined) {
      const decision = decide(ctx.filter, key, value);
      if (decision.action === 'remove') {
        counts.filterRemoved++;
        kind = KIND_DELETION;
        purges.add(key, 'remove', decision.note);
      } else if (decision.action === 'replace') {
        counts.filterReplaced++;
        value = decision.value;
        purges.add(key, 'replace', decision.note);
      }
    }
    if (kind === KIND_DELETION && isBase(key)) continue;
    if (out.full) {
      await out.cut();
      await ctx.afterCut?.();
    }
    out.add(key, it.seq, kind, value);
    counts.entriesOut++;
  }
  return counts;
}

/** One iterator per L0 input file, one (lazy) per sorted input level. */
function inputIterators(inputs: readonly CompactionInput[], open: (f: FileMeta) => InternalIterator): InternalIterator[] {
  const children: InternalIterator[] = [];
  for (const input of inputs) {
    if (input.files.length === 0) continue;
    if (input.level === 0) for (const f of input.files) children.push(new LevelIterator([f], open));
    else children.push(new LevelIterator(input.files, open));
  }
  return children;
}

/** Runs the filter on copies of key and value and checks its decision. */
function decide(filter: CompactionFilter, key: Uint8Array, value: Uint8Array): CompactionDecision {
  return checkDecision(filter(Uint8Array.from(key), Uint8Array.from(value)), key);
}

/** Returns `decision` if well-formed; else throws INVALID_ARGUMENT naming `key`. */
export function checkDecision(decision: CompactionDecision, key: Uint8Array): CompactionDecision {
  const note: unknown = (decision as { note?: unknown } | undefined)?.note;
  if (note !== undefined && !(note instanceof Uint8Array)) throw malformed(key);
  switch (decision?.action) {
    case 'keep':
    case 'remove':
      return decision;
    case 'replace':
      if (decision.value instanceof Uint8Array) return decision;
      break;
  }
  throw malformed(key);
}

function malformed(key: Uint8Array): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', 'compaction filter returned a malformed decision', {
    details: { argument: 'filter', key: Buffer.from(key).toString('hex') },
  });
}

function closeQuietly(reader: TableReader): void {
  try {
    reader.close();
  } catch {
    // A handle a crash invalidated has nothing left to release.
  }
}
