import {
  AbstractStorageEngine,
  DynamisError,
  type AbstractEngineIterator,
  type AbstractEngineSnapshot,
  type EngineReadOptions,
  type BatchOp,
  type Clock,
  type EngineStats,
  type EngineSupports,
  type EngineWriteOptions,
  type FileSystem,
  type IteratorSpec,
  type Logger,
  type RangeBounds,
} from '@dynamis/core';
import { parseLsmOptions, type LsmOptions, type ResolvedLsmOptions } from '../options';
import { afterTurn, type Db } from './Db';
import type { LsmSnapshot } from './LsmSnapshot';
import { openDb } from './openDb';
import { statsOf } from './statsOf';

const RESOLVED: Promise<void> = Promise.resolve();

/** `sync` of write options that need no validation message, or undefined (let the base class check them). */
function plainSync(options: EngineWriteOptions | undefined): boolean | undefined {
  if (options === undefined) return false;
  if (typeof options !== 'object' || options === null) return undefined;
  const sync: unknown = options.sync;
  return sync === undefined ? false : typeof sync === 'boolean' ? sync : undefined;
}

/** A non-empty batch of plainly valid ops, read once into fresh op objects (bytes not copied), or undefined. */
function plainBatch(ops: readonly BatchOp[]): BatchOp[] | undefined {
  if (!Array.isArray(ops) || ops.length === 0) return undefined;
  const out = new Array<BatchOp>(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op: unknown = ops[i];
    if (typeof op !== 'object' || op === null) return undefined;
    const { type, key, value } = op as { type?: unknown; key?: unknown; value?: unknown };
    if (!(key instanceof Uint8Array)) return undefined;
    if (type === 'put') {
      if (!(value instanceof Uint8Array)) return undefined;
      out[i] = { type: 'put', key, value };
    } else if (type === 'del') out[i] = { type: 'del', key };
    else return undefined;
  }
  return out;
}

const SUPPORTS: EngineSupports = Object.freeze({ persistent: true, compactionFilter: true });

/**
 * A durable LSM-tree StorageEngine (see the package README and
 * docs/format.md): a checksummed WAL, a skip-list memtable, SSTables with
 * Bloom filters and a block cache, leveled or tiered compaction in the
 * background, and a crash-safe manifest.
 *
 * Contract beyond the StorageEngine port:
 * - Durability: every write is appended to the WAL with one synchronous
 *   write(2) before it resolves, so a kill -9 of the process never loses an
 *   acknowledged write, whatever the fsync policy. The policy decides what
 *   a machine crash can lose: nothing under 'always' (group commit), up to
 *   fsyncIntervalMs of writes under 'interval', unsynced writes under
 *   'none'. `sync: true` fsyncs before resolving under any policy.
 * - Writes never fail for lack of room: they slow down (~1 ms each at the
 *   L0 slowdown trigger) and wait (at the stop trigger or with every
 *   memtable full), counted in stats. After a WAL or background I/O
 *   failure every write rejects with that error (reads go on); reopen to
 *   recover.
 * - Reads are synchronous over memtables and tables; corrupt bytes are
 *   CORRUPTION naming the file and offset, never wrong data.
 * - open() takes an exclusive LOCK on the directory (UNAVAILABLE if held)
 *   and recovers per `walRecovery` (CORRUPTION when it refuses).
 */
export class LsmStorageEngine extends AbstractStorageEngine {
  readonly supports: EngineSupports = SUPPORTS;
  /** The validated options, defaults filled in. */
  readonly options: ResolvedLsmOptions;
  private db: Db | undefined = undefined;
  /** Fast-path writes whose promise has not settled yet (see track). */
  private fastPending = 0;
  private fastDrained: (() => void) | undefined = undefined;

  /**
   * `dir`: the database directory (created on open). `options`: see
   * LsmOptions; throws INVALID_CONFIG listing every bad option. Does no I/O.
   */
  constructor(
    private readonly fs: FileSystem,
    readonly dir: string,
    options: LsmOptions = {},
    private readonly clock: Clock,
    private readonly logger?: Logger,
  ) {
    super();
    this.options = parseLsmOptions(options);
  }

  protected override async _open(): Promise<void> {
    this.db = await openDb({
      fs: this.fs,
      dir: this.dir,
      options: this.options,
      clock: this.clock,
      logger: this.logger,
      filter: () => this.compactionFilter,
    });
  }

  /*
   * Fast paths. The base class validates, copies the caller's buffers and
   * wraps every call in an async function. When the engine is open, the
   * arguments are plainly valid and the write can be applied at once, the
   * call below does the same work synchronously without those copies (the
   * WAL and the memtable arena copy the bytes before it returns); anything
   * else (errors, stalls, closed engine) goes through the base class.
   */

  override get(key: Uint8Array, options?: EngineReadOptions): Promise<Uint8Array | undefined> {
    const db = this.db;
    if (db === undefined || this.status !== 'open' || !(key instanceof Uint8Array) || options !== undefined) return super.get(key, options);
    let value: Uint8Array | undefined;
    try {
      value = db.get(key);
    } catch (err) {
      return Promise.reject(err);
    }
    return db.shouldYield() ? afterTurn(value) : Promise.resolve(value);
  }

  override put(key: Uint8Array, value: Uint8Array, options?: EngineWriteOptions): Promise<void> {
    const sync = plainSync(options);
    if (sync === undefined || !(key instanceof Uint8Array) || !(value instanceof Uint8Array)) return super.put(key, value, options);
    return this.fastWrite([{ type: 'put', key, value }], sync) ?? super.put(key, value, options);
  }

  override delete(key: Uint8Array, options?: EngineWriteOptions): Promise<void> {
    const sync = plainSync(options);
    if (sync === undefined || !(key instanceof Uint8Array)) return super.delete(key, options);
    return this.fastWrite([{ type: 'del', key }], sync) ?? super.delete(key, options);
  }

  override write(ops: readonly BatchOp[], options?: EngineWriteOptions): Promise<void> {
    const sync = plainSync(options);
    const checked = sync === undefined ? undefined : plainBatch(ops);
    if (checked === undefined) return super.write(ops, options);
    return this.fastWrite(checked, sync!) ?? super.write(ops, options);
  }

  /** Applies `ops` now if the engine is open and has room; undefined to take the base class path. */
  private fastWrite(ops: readonly BatchOp[], sync: boolean): Promise<void> | undefined {
    const db = this.db;
    if (db === undefined || this.status !== 'open' || !db.writes.canWriteNow()) return undefined;
    let p: Promise<void> | undefined;
    try {
      p = db.writes.write(ops, sync);
    } catch (err) {
      return Promise.reject(err);
    }
    if (p === undefined) return RESOLVED;
    this.fastPending++;
    const done = (): void => {
      if (--this.fastPending === 0) this.fastDrained?.();
    };
    p.then(done, done);
    return p;
  }

  protected override async _close(): Promise<void> {
    if (this.fastPending > 0) await new Promise<void>((resolve) => (this.fastDrained = resolve));
    this.fastDrained = undefined;
    const db = this.db;
    this.db = undefined;
    await db?.close();
  }

  protected override _get(
    key: Uint8Array,
    snapshot: AbstractEngineSnapshot | undefined,
  ): Promise<Uint8Array | undefined> | Uint8Array | undefined {
    const db = this.open_();
    const value = snapshot === undefined ? db.get(key) : db.getAt(key, snapshot as LsmSnapshot);
    return db.shouldYield() ? afterTurn(value) : value;
  }

  protected override _write(ops: readonly BatchOp[], sync: boolean): Promise<void> | void {
    return this.open_().writes.write(ops, sync);
  }

  protected override _iterator(spec: IteratorSpec): AbstractEngineIterator {
    return this.open_().iterator(spec);
  }

  protected override _snapshot(): AbstractEngineSnapshot {
    return this.open_().snapshot();
  }

  /** One range tombstone, through the write path like any batch (WAL, memtable; see docs/format.md). */
  protected override _deleteRange(start: Uint8Array, end: Uint8Array, sync: boolean): Promise<void> | void {
    const db = this.open_();
    db.counters.rangeDeletions++;
    return db.writes.write([{ type: 'delRange', key: start, end }], sync);
  }

  protected override _compactRange(bounds: RangeBounds): Promise<void> {
    return this.open_().compactRange(bounds);
  }

  protected override _stats(): EngineStats {
    return statsOf(this.open_());
  }

  private open_(): Db {
    const db = this.db;
    if (db === undefined) throw new DynamisError('NOT_OPEN', 'storage engine is not open');
    return db;
  }
}
