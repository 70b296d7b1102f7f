import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DynamisClient } from '@dynamis/client';
import { checkKey, checkValue, DynamisError, isDynamisError, type StoreBatchOp, type WriteResult } from '@dynamis/core';
import type { Command } from 'commander';
import { EXIT, exitCodeOf } from '../exitCodes';
import { contextToken, parseConsistency } from '../format';
import type { Io } from '../io';
import { MAX_BATCH_INPUT_BYTES, parseBatchInput, type BatchLine } from './batchOps';
import { connectionOptions, withConnectionOptions } from './connectionOptions';
import { withClient } from './dataCommands';

type Run = (work: () => Promise<number>) => Promise<void>;

/** Ops sent per client.batch request. */
const CHUNK = 100;
/** The node defaults, checked before anything is sent (the node checks again with its own). */
const LIMITS = { maxKeyBytes: 1024, maxValueBytes: 1024 * 1024, maxBatchOps: CHUNK };

/** One op's outcome, as printed. */
type Outcome = { ok: true; acks: number; context?: string } | { ok: false; code: string; message: string };

/**
 * `dynamis batch [file]`: applies the ops of `file` (or stdin: `-` or no
 * file) through @dynamis/client's batch, CHUNK ops per request (per key,
 * no cross-key atomicity in a cluster). A `del` reads its key first and
 * deletes with that read's context, as `dynamis del` does. The whole input
 * is parsed and checked before anything is sent (exit 2 naming the line).
 * Prints one line per op, in input order: `ok put KEY acks=N context=T` /
 * `error CODE del KEY: message`, or with --json one object per op
 * `{"line","op","key","ok","acks"?,"context"?,"code"?,"message"?}`.
 * Exit 0 when every op succeeded; 2 bad input (nothing sent), or ops the
 * node refused as bad input only (INVALID_ARGUMENT, ...); 3 when any op
 * failed otherwise (quorum, unreachable).
 */
export function addBatchCommand(program: Command, io: Io, run: Run): void {
  withConnectionOptions(
    program
      .command('batch')
      .description('apply put/del ops, one per line, from a file or stdin (exit 0 all ok, 2 bad input, 3 some op failed)')
      .argument('[file]', 'ops, one per line: `put KEY VALUE`, `del KEY`, or JSON {"op","key","value","ttl"} (default or -: stdin)')
      .option('--consistency <level>', 'W: one | quorum | all | a replica count (default: the node’s replication.w)')
      .option('--json', 'print one {"line","op","key","ok",...} JSON object per op'),
  ).action((file: string | undefined, opts: Record<string, unknown>) =>
    run(async () => {
      const consistency = opts.consistency === undefined ? {} : { consistency: parseConsistency(String(opts.consistency)) };
      const ops = parseBatchInput(readInput(file, io.cwd));
      for (const op of ops) checkOp(op);
      if (ops.length === 0) return EXIT.ok;
      let exit: number = EXIT.ok;
      await withClient(connectionOptions(opts), io, async (client) => {
        for (let i = 0; i < ops.length; i += CHUNK) {
          const chunk = ops.slice(i, i + CHUNK);
          const outcomes = await applyChunk(client, chunk, consistency);
          for (let j = 0; j < chunk.length; j++) {
            exit = Math.max(exit, exitOf(outcomes[j]!));
            io.out(printOutcome(chunk[j]!, outcomes[j]!, opts.json === true));
          }
        }
      });
      return exit;
    }),
  );
}

/** The input text: `file` (relative to `cwd`), or stdin for undefined or `-`; INVALID_ARGUMENT past MAX_BATCH_INPUT_BYTES. */
function readInput(file: string | undefined, cwd: string): string {
  const fromStdin = file === undefined || file === '-';
  if (fromStdin && process.stdin.isTTY === true) {
    throw new DynamisError('INVALID_ARGUMENT', 'batch reads its ops from a file or from stdin: give a file or pipe the ops in');
  }
  if (!fromStdin && statSync(resolve(cwd, file)).size > MAX_BATCH_INPUT_BYTES) throw tooBig();
  const fd = fromStdin ? 0 : openSync(resolve(cwd, file), 'r');
  try {
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const buf = Buffer.allocUnsafe(64 * 1024);
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      total += n;
      if (total > MAX_BATCH_INPUT_BYTES) throw tooBig();
      chunks.push(buf.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    if (!fromStdin) closeSync(fd);
  }
}

function tooBig(): DynamisError {
  return new DynamisError('INVALID_ARGUMENT', `batch input is larger than ${MAX_BATCH_INPUT_BYTES} bytes: split it`);
}

/** The key and value checks, naming the line (INVALID_KEY / VALUE_TOO_LARGE keep their codes). */
function checkOp(op: BatchLine): void {
  try {
    checkKey(op.key, LIMITS);
    if (op.type === 'put') checkValue(Buffer.from(op.value, 'utf8'), LIMITS);
  } catch (err) {
    const e = err as DynamisError;
    throw new DynamisError(e.code, `batch input line ${op.line}: ${e.message}`, { details: { line: op.line } });
  }
}

/** Sends one chunk; every op's outcome, in order (a failed batch reports per key when the node said which failed). */
async function applyChunk(client: DynamisClient, chunk: readonly BatchLine[], options: object): Promise<Outcome[]> {
  let ops: StoreBatchOp[];
  try {
    ops = await Promise.all(chunk.map((op) => toStoreOp(client, op)));
    const results = await client.batch(ops, options);
    return results.map(written);
  } catch (err) {
    if (!isDynamisError(err)) throw err;
    const perKey = err.details['outcomes'];
    if (Array.isArray(perKey) && perKey.length === chunk.length) return perKey.map((o) => outcomeOf(o, err));
    return chunk.map(() => ({ ok: false, code: err.code, message: err.message }));
  }
}

/** A put as is; a del with the context of a read of its key (so it deletes what is there under vector clocks too). */
async function toStoreOp(client: DynamisClient, op: BatchLine): Promise<StoreBatchOp> {
  if (op.type === 'put') {
    const value = Buffer.from(op.value, 'utf8');
    return op.ttlMs === undefined ? { type: 'put', key: op.key, value } : { type: 'put', key: op.key, value, ttlMs: op.ttlMs };
  }
  return { type: 'del', key: op.key, context: (await client.get(op.key)).context };
}

function written(r: WriteResult): Outcome {
  return { ok: true, acks: r.acks, context: contextToken(r.context) };
}

/** One entry of a failed batch's `details.outcomes` (quorum's batchFailure). */
function outcomeOf(o: unknown, err: DynamisError): Outcome {
  const e = (o ?? {}) as { ok?: unknown; acks?: unknown; code?: unknown; message?: unknown };
  if (e.ok === true) return { ok: true, acks: typeof e.acks === 'number' ? e.acks : 0 };
  return {
    ok: false,
    code: typeof e.code === 'string' ? e.code : err.code,
    message: typeof e.message === 'string' ? e.message : err.message,
  };
}

/** 0 for a success, else the exit code of its error code (exitCodeOf: 2 for bad input, 3 otherwise). */
function exitOf(o: Outcome): number {
  return o.ok ? EXIT.ok : exitCodeOf(new DynamisError(o.code as DynamisError['code'], o.message));
}

function printOutcome(op: BatchLine, o: Outcome, json: boolean): string {
  if (json) return `${JSON.stringify({ line: op.line, op: op.type, key: op.key, ...o })}\n`;
  if (!o.ok) return `error ${o.code} ${op.type} ${op.key}: ${o.message}\n`;
  return `ok ${op.type} ${op.key} acks=${o.acks}${o.context === undefined ? '' : ` context=${o.context}`}\n`;
}
