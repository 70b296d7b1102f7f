import * as core from '@dynamis/core';
import {
  checkBatch,
  checkScanOptions,
  clientBatchResultSchema,
  clientScanResultSchema,
  DynamisError,
  parseWithSchema,
  SystemClock,
  SystemRandom,
  type CausalContext,
  type Clock,
  type Envelope,
  type Random,
  type ReadOptions,
  type ReadResult,
  type ScanOptions,
  type ScanPage,
  type StoreBatchOp,
  type WriteOptions,
  type WriteResult,
} from '@dynamis/core';
import type { z } from 'zod';
import { ProcessKeepAlive, type KeepAlive } from './KeepAlive';
import { failureOf, maybeApplied, unavailable, type Failure } from './failures';
import { wsConnector } from './Link';
import { NodePool, notOpen } from './NodePool';
import { clientOptionsSchema, silentLogger, type ClientDeps, type ClientOptions, type ClientOptionsInput } from './options';
import { backoffMs, isTransient, shouldRetry, type RetryKind } from './retry';

/**
 * What every put and get uses, read once at load: each access through
 * @dynamis/core's CommonJS index is a call of a getter that all its
 * re-exports share (a megamorphic load: about 8% of this class's own CPU
 * per operation, profiled).
 */
const { checkCommon, checkWriteOptions, CLIENT_MESSAGE, CLIENT_REPLY, clientReadResultSchema, clientWriteResultSchema, parsePayload } =
  core;
// Assertion functions need their type spelled out (TS2775).
const checkKey: typeof core.checkKey = core.checkKey;
const checkValue: typeof core.checkValue = core.checkValue;

/** What `get` returns: the ReadResult plus the sibling values alone. */
export interface GetResult extends ReadResult {
  /** The values of `siblings`, in the same order (one under LWW). Empty when !found. */
  readonly values: Uint8Array[];
}

/** Options of a write that carries no condition (putIfAbsent / putIfVersion add one). */
export type UnconditionalWriteOptions = Omit<WriteOptions, 'ifAbsent' | 'ifVersion'>;

/**
 * A client of a Dynamis cluster over WebSocket (README.md). Any node serves
 * any key; the client sends each request to its preferred node and moves on
 * to the next node of `nodes` when one fails.
 *
 * - Arguments are checked locally first, with the node's codes (INVALID_KEY,
 *   VALUE_TOO_LARGE, INVALID_ARGUMENT); nothing invalid is sent.
 * - Retries (see retry.ts): get and delete are retried on UNAVAILABLE,
 *   TIMEOUT and QUORUM_NOT_REACHED; put, batch and the conditional writes
 *   only when the failure proves no node applied them (a connection that
 *   could not be made, or a node that refused the request before its store).
 *   Other errors (CONFLICT, UNAUTHORIZED, validation) are never retried.
 * - When every attempt failed transiently: UNAVAILABLE naming each node tried
 *   (details.attempts). A write that reached a node and then failed keeps its
 *   code with details.maybeApplied = true: it may or may not have happened.
 * - Methods may be called concurrently; one connection per node is shared.
 */
export class DynamisClient {
  private readonly pool: NodePool;
  private readonly retries: number;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly keepAlive: KeepAlive;

  private constructor(
    private readonly options: ClientOptions,
    deps: ClientDeps,
  ) {
    this.clock = deps.clock ?? new SystemClock();
    this.random = deps.random ?? new SystemRandom();
    this.keepAlive = deps.keepAlive ?? new ProcessKeepAlive();
    const connector = deps.connector ?? wsConnector(options, this.clock, deps.logger ?? silentLogger);
    this.pool = new NodePool(options.nodes, connector);
    this.retries = options.retries ?? Math.max(2, options.nodes.length - 1);
  }

  /**
   * Validates the options (INVALID_CONFIG, never echoing the token) and
   * connects to the first node of `nodes` that accepts. Rejects UNAUTHORIZED
   * at once if a node refuses the token, UNAVAILABLE naming every node if none
   * can be reached. The caller must close() the client.
   */
  static async connect(options: ClientOptionsInput, deps: ClientDeps = {}): Promise<DynamisClient> {
    const client = new DynamisClient(parseWithSchema(clientOptionsSchema, options, 'DynamisClient options'), deps);
    client.keepAlive.hold();
    try {
      return await client.connectFirst();
    } finally {
      client.keepAlive.release();
    }
  }

  /** connect()'s loop: the first node of `nodes` that accepts. Closes the client on failure. */
  private async connectFirst(): Promise<DynamisClient> {
    const failures: Failure[] = [];
    for (const node of this.options.nodes) {
      try {
        await this.pool.link(node);
        this.pool.succeeded(node);
        return this;
      } catch (err) {
        if (!(err instanceof DynamisError) || err.code !== 'UNAVAILABLE') {
          await this.close();
          throw err;
        }
        failures.push(failureOf(node, err));
      }
    }
    await this.close();
    throw unavailable('connect', failures, true);
  }

  /** Writes `value` under `key`. Not retried once sent (see class doc). */
  put(key: string, value: Uint8Array, options: WriteOptions = {}): Promise<WriteResult> {
    // Not async: a request is one promise (run's), not one per layer; a bad argument still rejects, never throws.
    let payload: object;
    try {
      const limits = this.options.limits;
      checkKey(key, limits);
      checkValue(value, limits);
      checkWriteOptions(options, true);
      const o = wireOptions(options);
      payload = o === undefined ? { key, value } : { key, value, options: o };
    } catch (err) {
      return Promise.reject(err);
    }
    return this.run('put', key, 'write', { type: CLIENT_MESSAGE.put, payload }, options, CLIENT_REPLY.put, clientWriteResultSchema, same);
  }

  /** Writes only if `key` has no live value; CONFLICT otherwise. Not retried once sent. */
  putIfAbsent(key: string, value: Uint8Array, options: UnconditionalWriteOptions = {}): Promise<WriteResult> {
    return this.put(key, value, { ...options, ifAbsent: true });
  }

  /**
   * Writes only if `version` (the context of an earlier get) still supersedes
   * every live sibling of `key`; CONFLICT otherwise. Not retried once sent.
   */
  putIfVersion(key: string, value: Uint8Array, version: CausalContext, options: UnconditionalWriteOptions = {}): Promise<WriteResult> {
    if (!(version instanceof Uint8Array))
      return Promise.reject(new DynamisError('INVALID_ARGUMENT', 'version must be a Uint8Array (a context from get)'));
    return this.put(key, value, { ...options, ifVersion: version });
  }

  /** Reads `key`; a missing key is `found: false`, never an error. Retried. */
  get(key: string, options: ReadOptions = {}): Promise<GetResult> {
    let payload: object;
    try {
      checkKey(key, this.options.limits);
      checkCommon(options);
      const o = wireOptions(options);
      payload = o === undefined ? { key } : { key, options: o };
    } catch (err) {
      return Promise.reject(err);
    }
    return this.run(
      'get',
      key,
      'idempotent',
      { type: CLIENT_MESSAGE.get, payload },
      options,
      CLIENT_REPLY.get,
      clientReadResultSchema,
      toGetResult,
    );
  }

  /** Deletes `key` (a versioned tombstone); deleting a missing key succeeds. Retried. */
  async delete(key: string, options: Omit<WriteOptions, 'ttlMs' | 'ifAbsent' | 'ifVersion'> = {}): Promise<WriteResult> {
    checkKey(key, this.options.limits);
    checkWriteOptions(options, false);
    const o = wireOptions(options);
    const payload = o === undefined ? { key } : { key, options: o };
    return this.run(
      'delete',
      key,
      'idempotent',
      { type: CLIENT_MESSAGE.delete, payload },
      options,
      CLIENT_REPLY.delete,
      clientWriteResultSchema,
      same,
    );
  }

  /**
   * Applies several puts and deletes; one WriteResult per op, in order. Every
   * op is checked before anything is sent. Atomic on a single-node
   * coordinator, per key on a distributed one. Not retried once sent.
   */
  async batch(ops: readonly StoreBatchOp[], options: UnconditionalWriteOptions = {}): Promise<WriteResult[]> {
    checkBatch(ops, options, this.options.limits);
    if (ops.length === 0) return [];
    const o = wireOptions(options);
    const wireOps = ops.map((op) => strip({ ...op }));
    const payload = o === undefined ? { ops: wireOps } : { ops: wireOps, options: o };
    const r = await this.run(
      'batch',
      ops.length,
      'write',
      { type: CLIENT_MESSAGE.batch, payload },
      options,
      CLIENT_REPLY.batch,
      clientBatchResultSchema,
      same,
    );
    if (r.results.length !== ops.length)
      throw new DynamisError('PROTOCOL_ERROR', `batch reply has ${r.results.length} results for ${ops.length} ops`);
    return r.results;
  }

  /**
   * One page of a cluster-wide scan (README "Scan"): up to `limit` live
   * keys with their siblings and contexts, ordered by (partition, key), and
   * the cursor of the next page (null at the end). A page may hold fewer
   * items than `limit`, even none, before the end: go on while the cursor
   * is not null. Not a snapshot. Options are checked locally
   * (INVALID_ARGUMENT: consistency other than 'one', limit outside
   * [1, SCAN_MAX_LIMIT]). Retried like a get.
   */
  async scan(options: ScanOptions = {}): Promise<ScanPage> {
    checkScanOptions(options, this.options.limits);
    const payload = wireOptions(options) ?? {};
    const subject = options.prefix === undefined ? 'all keys' : options.prefix;
    return this.run(
      'scan',
      subject,
      'idempotent',
      { type: CLIENT_MESSAGE.scan, payload },
      options,
      CLIENT_REPLY.scan,
      clientScanResultSchema,
      same,
    );
  }

  /**
   * The pages of a scan from `options.cursor` (or the beginning) to the end,
   * as an async iterator: each page is fetched only when the loop asks for
   * it, so a `break` stops the walk. Errors as `scan`.
   */
  async *scanAll(options: ScanOptions = {}): AsyncGenerator<ScanPage, void, undefined> {
    let cursor = options.cursor;
    do {
      const page = await this.scan({ ...options, cursor });
      yield page;
      cursor = page.cursor ?? undefined;
    } while (cursor !== undefined);
  }

  /** Closes every connection; requests in flight fail UNAVAILABLE, later ones NOT_OPEN. Idempotent. */
  close(): Promise<void> {
    this.keepAlive.close?.();
    return this.pool.close();
  }

  /**
   * Sends `msg` with the retry policy of `kind`, parses the reply and
   * resolves with `finish` of it (in the same promise: no layer per caller). Holds
   * the process alive (KeepAlive) until it settles, backoff sleeps included.
   * `verb` and `subject` name the operation in errors (built only on a failure).
   */
  private async run<S extends z.ZodType, R>(
    verb: string,
    subject: string | number,
    kind: RetryKind,
    msg: Envelope,
    options: { timeoutMs?: number },
    replyType: string,
    schema: S,
    finish: (reply: z.output<S>) => R,
  ): Promise<R> {
    const timeoutMs = options.timeoutMs ?? this.options.timeoutMs;
    const pool = this.pool;
    const start = pool.start;
    let failures: Failure[] | undefined;
    this.keepAlive.hold();
    try {
      for (let attempt = 0; ; attempt++) {
        const node = pool.nodeFor(start, attempt);
        let reply: Envelope;
        try {
          // An open link is used at once; only a connection attempt costs an extra await.
          const link = pool.openLink(node) ?? (await pool.link(node));
          reply = await link.request(msg, timeoutMs);
        } catch (err) {
          if (pool.isClosed) throw notOpen();
          if (isTransient(err)) pool.failed(node);
          const what = describe(verb, subject);
          if (!shouldRetry(kind, err)) throw kind === 'write' && isTransient(err) ? maybeApplied(what, node, err as DynamisError) : err;
          (failures ??= []).push(failureOf(node, err as DynamisError));
          if (attempt >= this.retries)
            throw unavailable(
              what,
              failures,
              failures.every((f) => f.notApplied),
            );
          await this.clock.sleep(backoffMs(attempt + 1, this.options.backoff, this.random));
          continue;
        }
        pool.succeeded(node);
        return finish(parseReply(node, reply, replyType, schema));
      }
    } finally {
      this.keepAlive.release();
    }
  }
}

/** run's `finish` for the calls that return the parsed reply as it is. */
function same<T>(reply: T): T {
  return reply;
}

/** run's `finish` for get: the ReadResult plus the sibling values alone. */
function toGetResult(r: ReadResult): GetResult {
  return { found: r.found, siblings: r.siblings, context: r.context, values: r.siblings.map(siblingValue) };
}

function siblingValue(s: { readonly value: Uint8Array }): Uint8Array {
  return s.value;
}

/** How errors name an operation: `put 'k'`, `batch of 3`. */
function describe(verb: string, subject: string | number): string {
  return typeof subject === 'number' ? `${verb} of ${subject}` : `${verb} '${subject}'`;
}

function parseReply<S extends z.ZodType>(node: string, reply: Envelope, type: string, schema: S): z.output<S> {
  const parsed = reply.type === type ? parsePayload(schema, reply.payload) : undefined;
  if (parsed?.success) return parsed.data;
  throw new DynamisError('PROTOCOL_ERROR', `${node} sent a malformed '${String(reply.type)}' reply (expected '${type}')`, {
    details: { node, type: reply.type },
  });
}

/**
 * The options to send: a copy of `options` without undefined properties, or
 * undefined when none is set (the request then carries no options field).
 * `timeoutMs` is sent too: the node uses it as its own deadline.
 */
function wireOptions(options: object): object | undefined {
  for (const k in options) if ((options as Record<string, unknown>)[k] !== undefined) return strip(options);
  return undefined;
}

/** A copy of `o` without undefined properties (the wire carries no explicit undefineds). */
function strip<T extends object>(o: T): T {
  const out = { ...o };
  for (const k of Object.keys(out) as (keyof T)[]) if (out[k] === undefined) delete out[k];
  return out;
}
