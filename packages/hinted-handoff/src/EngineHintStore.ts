import {
  checkIncomingSiblings,
  checkKey,
  DynamisError,
  type BatchOp,
  type Clock,
  type ConflictResolver,
  type Hint,
  type HintStats,
  type HintStore,
  type Lifecycle,
  type Limits,
  type Logger,
  type NodeId,
  type Sibling,
  type StorageEngine,
} from '@dynamis/core';
import {
  allHintsRange,
  decodeHintKey,
  decodeHintValue,
  decodeSequence,
  encodeHintValue,
  encodeSequence,
  HINT_SEQUENCE_KEY,
  hintCreatedAt,
  hintKey,
  targetPrefix,
  targetRange,
} from './hintCodec';
import type { HintStoreOptions } from './options';

/** Ids are handed out in blocks: the high-water mark is written once per block. */
const SEQUENCE_BLOCK = 1024;
/** The NodeId rule of core's ports/types.ts. */
const NODE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/** Why hints were dropped (each also counts in `dropped`). */
export interface HintDrops {
  /** Refused by add: the target already had maxHintsPerTarget hints. */
  readonly count: number;
  /** Refused by add: the target's hints would exceed maxBytesPerTarget. */
  readonly bytes: number;
  /** Refused by add: maxTargets other targets already have hints. */
  readonly targets: number;
  /** Deleted undelivered: older than windowMs. */
  readonly age: number;
  /** Deleted undelivered: the target refused them as invalid (see HintDelivery). */
  readonly refused: number;
}

export interface EngineHintStats extends HintStats {
  /** Bytes (engine key + value) of pending hints per target. */
  readonly pendingBytes: Readonly<Record<NodeId, number>>;
  readonly droppedBy: HintDrops;
}

interface Pending {
  readonly bytes: number;
  readonly createdAt: number;
}

interface TargetIndex {
  /** Pending hints by sequence, in insertion (= sequence) order. */
  readonly hints: Map<number, Pending>;
  bytes: number;
}

/**
 * A HintStore whose hints live in the node's StorageEngine, in the hints
 * key space (0x68; layout in hintCodec.ts and docs/format.md), so they are
 * exactly as durable as the engine's writes (`sync` option: fsync each add).
 *
 * - `add` checks its arguments (INVALID_ARGUMENT: a target that is not a
 *   NodeId, siblings that fail checkIncomingSiblings; INVALID_KEY: a key the
 *   Store would refuse), then the
 *   bounds of the target: at most `maxHintsPerTarget` hints and
 *   `maxBytesPerTarget` bytes per target, `maxTargets` targets. A hint beyond
 *   a bound is not stored: add rejects UNAVAILABLE (`overloaded: true`,
 *   `applied: false`, `dropped: 'count' | 'bytes' | 'targets'`) and it counts
 *   as dropped. The new hint is the one dropped (as Cassandra stops hinting):
 *   the hints already stored, maybe mid-delivery, stay as they are. add
 *   resolves once the hint is written to the engine.
 * - Ids are decimal sequence numbers from one counter over all targets,
 *   increasing in add order and never reused, also across restarts (a
 *   high-water mark is persisted per block of 1024).
 * - The hint window: a hint whose createdAt (wall clock) is `windowMs` or
 *   more in the past is never returned by `pending`; it is deleted and counted
 *   (`droppedBy.age`) by `pending` and `expire`. Expiry walks each target's
 *   hints in sequence order and stops at the first young one, so after a
 *   backward wall-clock jump a later hint may outlive an earlier one.
 * - Memory: per pending hint one small index entry (~60 bytes), rebuilt by
 *   `start()` from one scan of the hint space (cost: reading every pending
 *   hint once).
 * - Not safe across processes: one node owns its engine.
 */
export class EngineHintStore implements HintStore, Lifecycle {
  private readonly targets = new Map<NodeId, TargetIndex>();
  private nextSeq = 0;
  private reservedUpTo = 0;
  private delivered = 0;
  private readonly drops = { count: 0, bytes: 0, targets: 0, age: 0, refused: 0 };

  constructor(
    private readonly engine: StorageEngine,
    private readonly resolver: ConflictResolver,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly options: HintStoreOptions,
    private readonly limits: Limits,
  ) {}

  /** Rebuilds the index from the engine (which must be open). CORRUPTION if a hint key or value is malformed. */
  async start(): Promise<void> {
    this.targets.clear();
    const mark = await this.engine.get(HINT_SEQUENCE_KEY);
    let next = mark === undefined ? 0 : decodeSequence(mark);
    const it = this.engine.iterator(allHintsRange());
    try {
      for (let batch = await it.nextv(1024); batch.length > 0; batch = await it.nextv(1024)) {
        for (const [key, value] of batch) {
          const { target, seq } = decodeHintKey(key);
          this.index(target).hints.set(seq, { bytes: key.length + value.length, createdAt: hintCreatedAt(value) });
          this.index(target).bytes += key.length + value.length;
          next = Math.max(next, seq + 1);
        }
      }
    } finally {
      await it.close();
    }
    this.nextSeq = next;
    this.reservedUpTo = next;
    const pending = [...this.targets.values()].reduce((n, t) => n + t.hints.size, 0);
    if (pending > 0) this.logger.info('hints recovered', { pending, targets: this.targets.size });
  }

  /** Forgets the in-memory index (the hints stay in the engine). */
  async stop(): Promise<void> {
    this.targets.clear();
  }

  async add(target: NodeId, key: string, siblings: readonly Sibling[]): Promise<void> {
    checkTarget(target);
    checkKey(key, this.limits);
    checkIncomingSiblings(key, siblings, this.resolver, this.clock.now(), this.limits);
    const createdAt = this.clock.now();
    const seq = this.nextSeq;
    const engineKey = hintKey(target, seq);
    const value = encodeHintValue(createdAt, key, siblings);
    const bytes = engineKey.length + value.length;
    this.expireSoon(target, createdAt);
    this.checkBounds(target, bytes);
    this.nextSeq++;
    const index = this.index(target);
    index.hints.set(seq, { bytes, createdAt });
    index.bytes += bytes;
    const ops: BatchOp[] = [{ type: 'put', key: engineKey, value }];
    if (seq >= this.reservedUpTo) {
      this.reservedUpTo = seq + SEQUENCE_BLOCK;
      ops.push({ type: 'put', key: HINT_SEQUENCE_KEY, value: encodeSequence(this.reservedUpTo) });
    }
    try {
      await this.engine.write(ops, this.options.sync ? { sync: true } : {});
    } catch (err) {
      this.forget(target, [seq]);
      throw err;
    }
  }

  /**
   * Up to `limit` (an integer >= 0) oldest pending hints of `target`, in add
   * order, read from the engine by the target's key range. Hints past the
   * window are deleted (counted) instead of returned. Hints whose add has not
   * resolved yet may be missing, and so are hints already removed from the
   * index whose engine delete has not landed (or failed: a failed delete is
   * rethrown by its call, and the hint comes back at the next start()).
   */
  async pending(target: NodeId, limit: number): Promise<Hint[]> {
    checkTarget(target);
    if (!Number.isInteger(limit) || limit < 0) throw new DynamisError('INVALID_ARGUMENT', `limit must be an integer >= 0, got ${limit}`);
    const now = this.clock.now();
    await this.expire(now, target);
    if (limit === 0 || !this.targets.has(target)) return [];
    const it = this.engine.iterator({ ...targetRange(target), limit });
    const out: Hint[] = [];
    try {
      for (const [engineKey, value] of await it.nextv(limit)) {
        const { seq } = decodeHintKey(engineKey);
        if (this.targets.get(target)?.hints.has(seq) !== true) continue; // removed, its delete still in flight (or failed)
        const hint = decodeHintValue(value);
        if (hint.createdAt <= now - this.options.windowMs) continue; // expired meanwhile; the next expire deletes it
        out.push({ id: String(seq), target, key: hint.key, siblings: hint.siblings, createdAt: hint.createdAt });
      }
    } finally {
      await it.close();
    }
    return out;
  }

  /** Deletes the hints `ids` of `target` and counts them delivered. Unknown ids (and strings that are no id) are ignored. */
  async acknowledge(target: NodeId, ids: readonly string[]): Promise<void> {
    const n = await this.remove(target, ids);
    this.delivered += n;
  }

  /** Deletes the hints `ids` of `target` undelivered (the target refused them) and counts them dropped. */
  async discard(target: NodeId, ids: readonly string[]): Promise<void> {
    this.drops.refused += await this.remove(target, ids);
  }

  /**
   * Deletes (and counts) every hint past the window, of `target` or of every
   * target. Resolves with how many it deleted.
   */
  async expire(now: number = this.clock.now(), target?: NodeId): Promise<number> {
    let total = 0;
    for (const t of target === undefined ? [...this.targets.keys()] : [target]) {
      const seqs = this.expiredOf(t, now);
      if (seqs.length === 0) continue;
      const removed = this.forget(t, seqs);
      this.drops.age += removed.length;
      total += removed.length;
      await this.engine.write(removed.map((seq) => ({ type: 'del', key: hintKey(t, seq) })));
      this.logger.warn('hints dropped: past the hint window', { target: t, hints: removed.length, windowMs: this.options.windowMs });
    }
    return total;
  }

  /** Targets that have pending hints. */
  pendingTargets(): NodeId[] {
    return [...this.targets.keys()];
  }

  stats(): EngineHintStats {
    const pending: Record<NodeId, number> = {};
    const pendingBytes: Record<NodeId, number> = {};
    for (const [target, index] of this.targets) {
      pending[target] = index.hints.size;
      pendingBytes[target] = index.bytes;
    }
    const droppedBy = { ...this.drops };
    const dropped = droppedBy.count + droppedBy.bytes + droppedBy.targets + droppedBy.age + droppedBy.refused;
    return { pending, pendingBytes, dropped, droppedBy, delivered: this.delivered };
  }

  private async remove(target: NodeId, ids: readonly string[]): Promise<number> {
    checkTarget(target);
    if (!Array.isArray(ids) || ids.some((id) => typeof id !== 'string'))
      throw new DynamisError('INVALID_ARGUMENT', 'ids must be an array of strings');
    const seqs = ids.filter((id) => /^(0|[1-9][0-9]{0,15})$/.test(id)).map(Number);
    const removed = this.forget(target, seqs);
    if (removed.length > 0) await this.engine.write(removed.map((seq) => ({ type: 'del', key: hintKey(target, seq) })));
    return removed.length;
  }

  private checkBounds(target: NodeId, bytes: number): void {
    const index = this.targets.get(target);
    let bound: keyof HintDrops | undefined;
    if (index === undefined && this.targets.size >= this.options.maxTargets) bound = 'targets';
    else if ((index?.hints.size ?? 0) >= this.options.maxHintsPerTarget) bound = 'count';
    else if ((index?.bytes ?? 0) + bytes > this.options.maxBytesPerTarget) bound = 'bytes';
    if (bound === undefined) return;
    this.drops[bound]++;
    throw new DynamisError('UNAVAILABLE', `hint for ${target} dropped: the hint store's ${bound} bound is reached`, {
      details: { target, dropped: bound, overloaded: true, applied: false },
    });
  }

  /** Sequences of `target` past the window, oldest first, up to the first young one. */
  private expiredOf(target: NodeId, now: number): number[] {
    const out: number[] = [];
    for (const [seq, p] of this.targets.get(target)?.hints ?? []) {
      if (p.createdAt > now - this.options.windowMs) break;
      out.push(seq);
    }
    return out;
  }

  /** Expires `target`'s old hints: out of the index at once, out of the engine in the background. */
  private expireSoon(target: NodeId, now: number): void {
    if (this.expiredOf(target, now).length === 0) return;
    this.expire(now, target).catch((err: unknown) => this.logger.error('deleting expired hints failed', { target, error: String(err) }));
  }

  /** Removes `seqs` from the index; returns those that were there. */
  private forget(target: NodeId, seqs: readonly number[]): number[] {
    const index = this.targets.get(target);
    if (index === undefined) return [];
    const removed: number[] = [];
    for (const seq of seqs) {
      const p = index.hints.get(seq);
      if (p === undefined) continue;
      index.hints.delete(seq);
      index.bytes -= p.bytes;
      removed.push(seq);
    }
    if (index.hints.size === 0) this.targets.delete(target);
    return removed;
  }

  private index(target: NodeId): TargetIndex {
    let index = this.targets.get(target);
    if (index === undefined) this.targets.set(target, (index = { hints: new Map(), bytes: 0 }));
    return index;
  }
}

function checkTarget(target: unknown): asserts target is NodeId {
  if (typeof target !== 'string' || !NODE_ID.test(target)) {
    throw new DynamisError('INVALID_ARGUMENT', `hint target must be a node id (1–64 characters of [A-Za-z0-9._-]), got ${String(target)}`);
  }
  targetPrefix(target);
}
